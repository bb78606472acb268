// Integer literals: decimal, 0x hex, 0b binary, 0o or C-style leading-zero octal, `_` separators.

export const U64_MAX = (1n << 64n) - 1n;

const FORMS: ReadonlyArray<{ prefix: RegExp; digits: RegExp; radix: string; name: string }> = [
  { prefix: /^0[xX]/, digits: /^[0-9a-fA-F]+(_[0-9a-fA-F]+)*$/, radix: '0x', name: 'hexadecimal' },
  { prefix: /^0[bB]/, digits: /^[01]+(_[01]+)*$/, radix: '0b', name: 'binary' },
  { prefix: /^0[oO]/, digits: /^[0-7]+(_[0-7]+)*$/, radix: '0o', name: 'octal' },
  { prefix: /^0(?=[0-9_])/, digits: /^[0-7]+(_[0-7]+)*$/, radix: '0o', name: 'octal' },
];

/** The value of a literal, or a sentence saying what is wrong with it. */
export function parseNumberLiteral(text: string): { value: bigint } | { error: string } {
  for (const form of FORMS) {
    const prefix = form.prefix.exec(text);
    if (!prefix) continue;
    const digits = text.slice(prefix[0].length);
    if (!form.digits.test(digits)) {
      return { error: `invalid ${form.name} literal \`${text}\`` };
    }
    return checkRange(text, BigInt(form.radix + digits.replace(/_/g, '')));
  }
  if (!/^[0-9]+(_[0-9]+)*$/.test(text)) return { error: `invalid number literal \`${text}\`` };
  return checkRange(text, BigInt(text.replace(/_/g, '')));
}

function checkRange(text: string, value: bigint): { value: bigint } | { error: string } {
  if (value > U64_MAX) return { error: `number \`${text}\` does not fit in 64 bits` };
  return { value };
}
