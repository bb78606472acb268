// OCI action names as runc maps them (libcontainer/seccomp/seccomp_linux.go, getAction):
//   SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD → kill_thread (libseccomp's SCMP_ACT_KILL is KILL_THREAD)
//   SCMP_ACT_KILL_PROCESS               → kill_process
//   SCMP_ACT_ERRNO                      → errno(errnoRet), EPERM when errnoRet is absent
//   SCMP_ACT_TRACE                      → trace(errnoRet), EPERM (1) when absent
//   SCMP_ACT_TRAP, _ALLOW, _LOG, _NOTIFY → trap, allow, log, notify (errnoRet ignored)
// runc passes errnoRet through an int16, so only its low 16 bits reach libseccomp, which refuses an
// errno of 4095 (MAX_ERRNO) or more (src/system.c, sys_chk_seccomp_action): runc then fails.
import { actionValue, MAX_ERRNO, RET_ERRNO, RET_TRACE, type Action } from '../seccomp/action.ts';
import type { Located, OciActionName } from './profile.ts';

export const EPERM = 1;

export interface MappedAction {
  readonly action: Action;
  /** The value libseccomp gives the action (what runc compares with the default, and libseccomp merges on). */
  readonly raw: number;
  /** How errnoRet was changed on the way, for a warning. */
  readonly note?: string;
  /** errnoRet was given to an action that has no use for it. */
  readonly unusedErrnoRet?: boolean;
  /** Why libseccomp refuses the action. */
  readonly refused?: string;
}

export function mapAction(name: OciActionName, errnoRet: Located<bigint> | undefined): MappedAction {
  const given = errnoRet?.value;
  const data = Number((given ?? BigInt(EPERM)) & 0xffffn);
  const truncated = given !== undefined && given > 0xffffn ? `runc keeps the low 16 bits of errnoRet ${given}: ${data}` : undefined;
  const plain = (action: Action): MappedAction => ({ action, raw: actionValue(action), ...(given !== undefined ? { unusedErrnoRet: true } : {}) });
  switch (name) {
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_THREAD': return plain({ kind: 'kill_thread' });
    case 'SCMP_ACT_KILL_PROCESS': return plain({ kind: 'kill_process' });
    case 'SCMP_ACT_TRAP': return plain({ kind: 'trap', data: 0 });
    case 'SCMP_ACT_ALLOW': return plain({ kind: 'allow' });
    case 'SCMP_ACT_LOG': return plain({ kind: 'log' });
    case 'SCMP_ACT_NOTIFY': return plain({ kind: 'notify' });
    case 'SCMP_ACT_ERRNO': {
      const refused = data >= MAX_ERRNO ? `libseccomp refuses errno ${data}: an errno must be below ${MAX_ERRNO} (runc fails to start the container)` : undefined;
      return {
        action: { kind: 'errno', errno: Math.min(data, MAX_ERRNO) }, raw: (RET_ERRNO | data) >>> 0,
        ...(truncated ? { note: truncated } : {}), ...(refused ? { refused } : {}),
      };
    }
    case 'SCMP_ACT_TRACE':
      return { action: { kind: 'trace', data }, raw: (RET_TRACE | data) >>> 0, ...(truncated ? { note: truncated } : {}) };
  }
}
