// `seccompile notify-kit [-o FILE]`: writes seccompile_notify.h, the header-only kit for
// user-notification supervisors (docs/user-notification.md).
import { emitNotifyKit } from '../../emit/notify-kit.ts';
import { VERSION } from '../../version.ts';
import { writeOutput } from '../output.ts';

export function runNotifyKit(options: { output?: string }): void {
  writeOutput(options.output ?? '-', emitNotifyKit({ version: VERSION }));
}
