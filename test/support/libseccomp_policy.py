#!/usr/bin/python3
"""libseccomp's filter for a policy's rules on one architecture, for test/libseccomp-targets.test.ts.

Run with /usr/bin/python3 (Debian's, with the seccomp module). Reads one JSON request on stdin:
  {"cases": [{"id": ..., "arch": "X86" | "ARM" | "X32" | "AARCH64" | "RISCV64" | "X86_64",
              "default": <u32>, "rules": [{"name": ..., "action": <u32>, "args": [[index, op, "value", "valueTwo"], ...]}]}]}
(values as decimal strings: they are 64-bit). The filter holds that architecture alone, and rules
name their syscalls (libseccomp resolves a name per architecture; a number would be x86-64's).
Writes {"results": [{"id", "bpf": "<hex>"} | {"id", "error"}]}.
"""
import json
import sys
import tempfile

import seccomp

OPS = {"==": seccomp.EQ, "!=": seccomp.NE, "<": seccomp.LT, "<=": seccomp.LE, ">": seccomp.GT, ">=": seccomp.GE, "&==": seccomp.MASKED_EQ}


def action(value):
    kind, data = value & 0xFFFF0000, value & 0xFFFF
    if value == 0x7FFF0000:
        return seccomp.ALLOW
    if value == 0x7FFC0000:
        return seccomp.LOG
    if value == 0x80000000:
        return seccomp.KILL_PROCESS
    if value == 0:
        return seccomp.KILL
    if kind == 0x00050000:
        return seccomp.ERRNO(data)
    if kind == 0x00030000:
        return seccomp.TRAP
    if kind == 0x7FF00000:
        return seccomp.TRACE(data)
    raise ValueError("action 0x%x" % value)


def build(case):
    f = seccomp.SyscallFilter(action(case["default"]))
    if case["arch"] != "X86_64":
        f.add_arch(getattr(seccomp.Arch, case["arch"]))
        f.remove_arch(seccomp.Arch.NATIVE)
    for rule in case["rules"]:
        conds = [seccomp.Arg(i, OPS[op], int(v), int(v2)) for i, op, v, v2 in rule["args"]]
        f.add_rule(action(rule["action"]), rule["name"], *conds)
    with tempfile.TemporaryFile() as out:
        f.export_bpf(out)
        out.seek(0)
        return out.read().hex()


def main():
    results = []
    for case in json.load(sys.stdin)["cases"]:
        try:
            results.append({"id": case["id"], "bpf": build(case)})
        except Exception as error:  # reported per case
            results.append({"id": case["id"], "error": str(error)})
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
