// The output formats and their options, apart from the emitters (so choosing one loads none).

export const OUTPUT_FORMATS = ['raw', 'c', 'json', 'asm'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface EmitOptions {
  /** C identifier for `--format c`. */
  readonly name: string;
  readonly source: string;
  readonly version: string;
}
