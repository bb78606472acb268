// Terminal colours for the CLI's reports: the basic ANSI styles (SGR codes), each opened and closed
// with its own reset code so that styles nest (bold around red, red inside a bold line). Without
// colour every style is the identity. The 16-colour set is all seccompile uses, so it needs no
// terminal detection and no library.

export type Style = (text: string) => string;

export interface Paint {
  readonly bold: Style;
  readonly dim: Style;
  readonly red: Style;
  readonly green: Style;
  readonly yellow: Style;
  readonly blue: Style;
  readonly cyan: Style;
}

const plain: Style = (text) => text;

function sgr(open: number, close: number): Style {
  return (text) => (text === '' ? text : `\u001b[${open}m${text}\u001b[${close}m`);
}

const COLOURED: Paint = {
  bold: sgr(1, 22), dim: sgr(2, 22),
  red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), blue: sgr(34, 39), cyan: sgr(36, 39),
};

const PLAIN: Paint = { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, blue: plain, cyan: plain };

export function painter(color: boolean): Paint {
  return color ? COLOURED : PLAIN;
}
