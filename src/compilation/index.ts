// Either front end, chosen by the input: a JSON object is an OCI profile, anything else a policy.
import { looksLikeProfile } from '../oci/index.ts';
import type { Compilation, CompilationOptions } from './compilation.ts';
import { compilePolicyText } from './policy.ts';
import { compileProfileText } from './profile.ts';

export function compile(text: string, options: CompilationOptions & { readonly kind?: 'policy' | 'profile' } = {}): Compilation {
  const kind = options.kind ?? (looksLikeProfile(text) ? 'profile' : 'policy');
  return kind === 'policy' ? compilePolicyText(text, options) : compileProfileText(text, options);
}

export { compilePolicyText } from './policy.ts';
export { compileProfileText } from './profile.ts';
export type { Compilation, CompilationOptions } from './compilation.ts';
