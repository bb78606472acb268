// Policy files as text: size limit, binary detection and UTF-8 validation, shared by the CLI's
// entry file and included files.

/**
 * Files larger than this are refused before they are read whole (a policy, a profile, a syscall
 * mix). Docker's default profile is 20 KiB.
 */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;

/**
 * Policy text, the entry and its includes together, is refused beyond this, before it is parsed:
 * tokens and syntax trees take about 300 times the text in memory, and a filter from a larger
 * policy would exceed the kernel's 4,096 instructions long before (1 MiB is some 40,000 rules).
 */
export const MAX_POLICY_TEXT = 1024 * 1024;

/** `1.5 MiB`, for the messages about these limits. */
export function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

export type DecodedText =
  | { readonly text: string }
  /** `at`: line and column of the first bad byte, when the input is text with a bad byte in it. */
  | { readonly error: string; readonly binary: boolean; readonly at?: { readonly line: number; readonly column: number } };

/** Offset of the first byte that does not belong to a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    for (let j = 1; j < length; j++) if ((bytes[i + j]! & 0xc0) !== 0x80) return i;
    // Overlong three- and four-byte forms, surrogates and code points above U+10FFFF.
    const second = bytes[i + 1]!;
    if ((b === 0xe0 && second < 0xa0) || (b === 0xed && second > 0x9f) || (b === 0xf0 && second < 0x90) || (b === 0xf4 && second > 0x8f)) return i;
    i += length;
  }
  return -1;
}

export function decodePolicyText(bytes: Uint8Array): DecodedText {
  if (bytes.length > MAX_INPUT_BYTES) {
    return { error: `the file is ${formatSize(bytes.length)}; inputs are limited to ${formatSize(MAX_INPUT_BYTES)}`, binary: false };
  }
  if (bytes.includes(0)) return { error: 'this is binary data, not a policy', binary: true };
  try {
    // The fast path: the native decoder refuses invalid UTF-8; only then find where.
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '') };
  } catch {
    // fall through to locate the bad byte
  }
  const decoder = new TextDecoder('utf-8');
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const before = decoder.decode(bytes.subarray(0, bad));
    const lines = before.split('\n');
    const at = { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
    return { error: `invalid UTF-8 at line ${at.line}, column ${at.column} (byte 0x${bytes[bad]!.toString(16).padStart(2, '0')}): a policy is UTF-8 text`, binary: false, at };
  }
  return { text: decoder.decode(bytes).replace(/^\uFEFF/, '') };
}
