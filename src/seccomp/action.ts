// The closed set of seccomp actions, their 32-bit return values and what they need from the kernel.

export type Action =
  | { readonly kind: 'kill_process' }
  | { readonly kind: 'kill_thread' }
  | { readonly kind: 'trap'; readonly data: number }
  | { readonly kind: 'errno'; readonly errno: number }
  | { readonly kind: 'notify' }
  | { readonly kind: 'trace'; readonly data: number }
  | { readonly kind: 'log' }
  | { readonly kind: 'allow' };

export const RET_KILL_PROCESS = 0x80000000;
export const RET_KILL_THREAD = 0x00000000;
export const RET_TRAP = 0x00030000;
export const RET_ERRNO = 0x00050000;
export const RET_USER_NOTIF = 0x7fc00000;
export const RET_TRACE = 0x7ff00000;
export const RET_LOG = 0x7ffc0000;
export const RET_ALLOW = 0x7fff0000;
export const RET_ACTION_FULL = 0xffff0000;
export const RET_DATA = 0x0000ffff;
/** The kernel caps an ERRNO action's value at MAX_ERRNO. */
export const MAX_ERRNO = 4095;

export const ALLOW: Action = { kind: 'allow' };
export const KILL_PROCESS: Action = { kind: 'kill_process' };

/** The value a filter returns for an action (as an unsigned 32-bit number). */
export function actionValue(action: Action): number {
  switch (action.kind) {
    case 'kill_process': return RET_KILL_PROCESS;
    case 'kill_thread': return RET_KILL_THREAD;
    case 'trap': return (RET_TRAP | action.data) >>> 0;
    case 'errno': return (RET_ERRNO | action.errno) >>> 0;
    case 'notify': return RET_USER_NOTIF;
    case 'trace': return (RET_TRACE | action.data) >>> 0;
    case 'log': return RET_LOG;
    case 'allow': return RET_ALLOW;
  }
}

/**
 * The action the kernel takes for a return value (it ignores the data bits of actions without
 * data). Values with an unknown action part act as KILL_PROCESS; `known` is false for those.
 */
export function decodeAction(value: number): { action: Action; known: boolean } {
  const data = value & RET_DATA;
  switch ((value & RET_ACTION_FULL) >>> 0) {
    case RET_KILL_PROCESS: return { action: { kind: 'kill_process' }, known: true };
    case RET_KILL_THREAD: return { action: { kind: 'kill_thread' }, known: true };
    case RET_TRAP: return { action: { kind: 'trap', data }, known: true };
    case RET_ERRNO: return { action: { kind: 'errno', errno: Math.min(data, MAX_ERRNO) }, known: true };
    case RET_USER_NOTIF: return { action: { kind: 'notify' }, known: true };
    case RET_TRACE: return { action: { kind: 'trace', data }, known: true };
    case RET_LOG: return { action: { kind: 'log' }, known: true };
    case RET_ALLOW: return { action: { kind: 'allow' }, known: true };
    default: return { action: { kind: 'kill_process' }, known: false };
  }
}

export function actionsEqual(a: Action, b: Action): boolean {
  return actionValue(a) === actionValue(b);
}

/** Policy-language spelling: `allow`, `errno(13)`, `trap(5)`… */
export function formatAction(action: Action, errnoName?: (n: number) => string | undefined): string {
  switch (action.kind) {
    case 'trap': return action.data === 0 ? 'trap' : `trap(${action.data})`;
    case 'errno': return `errno(${errnoName?.(action.errno) ?? action.errno})`;
    case 'trace': return action.data === 0 ? 'trace' : `trace(${action.data})`;
    default: return action.kind;
  }
}

/** Listing spelling, as seccomp-tools writes it: `ALLOW`, `ERRNO(13)`, `KILL_PROCESS`… */
export function formatReturnValue(value: number): string {
  const { action, known } = decodeAction(value >>> 0);
  if (!known) return `0x${(value >>> 0).toString(16).padStart(8, '0')} (acts as KILL_PROCESS)`;
  switch (action.kind) {
    case 'trap': return `TRAP(${action.data})`;
    case 'errno': return `ERRNO(${action.errno})`;
    case 'trace': return `TRACE(${action.data})`;
    case 'notify': return 'USER_NOTIF';
    default: return action.kind.toUpperCase();
  }
}

/** Oldest kernel that knows the action, as [major, minor]. */
export function actionMinKernel(action: Action): readonly [number, number] {
  switch (action.kind) {
    case 'kill_process':
    case 'log': return LINUX_4_14;
    case 'notify': return LINUX_5_0;
    default: return LINUX_3_5;
  }
}

// Shared: asked once per rule of every compile.
const LINUX_3_5 = Object.freeze([3, 5] as const);
const LINUX_4_14 = Object.freeze([4, 14] as const);
const LINUX_5_0 = Object.freeze([5, 0] as const);
