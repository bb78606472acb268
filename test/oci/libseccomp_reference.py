#!/usr/bin/python3
"""Reference compiler for the OCI differential test: what Docker, runc and libseccomp make of a
seccomp profile, written independently of seccompile from their sources:

- Docker (moby profiles/seccomp/seccomp_linux.go, setupSeccomp): archMap, includes/excludes on
  caps, arches and minKernel, `name` versus `names`;
- runc (libcontainer/specconv SetupSeccomp, libcontainer/seccomp/seccomp_linux.go InitSeccomp,
  getAction, matchCall): action and errnoRet mapping, entries whose action equals the default
  skipped, unknown names skipped, a repeated argument index splitting the conditions into rules;
- libseccomp (Debian's python3-seccomp): the filter itself, exported as BPF, and libseccomp's
  rule database printed as pseudo filter code (PFC).

Run with /usr/bin/python3 (Debian's, with the seccomp module). Reads one JSON request on stdin:
  {"cases": [{"id": ..., "profile": {...}, "caps": [...], "kernel": [major, minor],
              "fallback": {"name": nr}}]}
`fallback` numbers syscalls this libseccomp is too old to know by name (an up-to-date libseccomp
knows them). Writes {"libseccomp": "x.y.z", "results": [...]} with, per case, either
{"id", "ok": true, "bpf": "<hex>", "pfc": "<text>", "skipped": [...],
"fallback": [...]} or {"id", "ok": false, "error"}.

A case may name the host: "host": {"goarch": "arm64", "scmp": "SCMP_ARCH_AARCH64", "arch":
"AARCH64"} (default amd64). The filter has the host's arch and, as under runc, every architecture
the profile lists for that host (`architectures`, or its archMap entry), each rule added by name
so that libseccomp translates it to each of them. `fallback` numbers are used for a filter of the
x86-64 ABI alone; otherwise a name this libseccomp does not know is returned in `fallback`
unnumbered (libseccomp could not translate the number to the other ABIs), and the test leaves
that syscall out. `resolved` gives, per architecture of the filter, the number this libseccomp
gives each name the rules use (negative: none on that ABI), so that the test can leave out the
few syscalls whose names its table and seccompile's disagree on.
"""
import json
import os
import select
import signal
import sys
import tempfile
import time

import seccomp

EPERM = 1
AMD64 = {"goarch": "amd64", "scmp": "SCMP_ARCH_X86_64", "arch": "X86_64"}
ARCHS = {
    "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
    "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
    "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
    "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
    "SCMP_ARCH_LOONGARCH64",
}
FLAGS = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"}
OPS = {
    "SCMP_CMP_NE": seccomp.NE, "SCMP_CMP_LT": seccomp.LT, "SCMP_CMP_LE": seccomp.LE,
    "SCMP_CMP_EQ": seccomp.EQ, "SCMP_CMP_GE": seccomp.GE, "SCMP_CMP_GT": seccomp.GT,
    "SCMP_CMP_MASKED_EQ": seccomp.MASKED_EQ,
}


class Refused(Exception):
    pass


def kernel_at_least(kernel, text):
    """moby KernelVersion.UnmarshalJSON + kernelGreaterEqualThan."""
    if text is None:
        return None
    if text == "":
        want = (0, 0)
    else:
        parts = text.split(".", 2)
        if len(parts) != 2 or not all(p.isdigit() and int(p) < 256 for p in parts):
            raise Refused("invalid kernel version " + repr(text))
        want = (int(parts[0]), int(parts[1]))
    return tuple(kernel) >= want


def docker_setup(profile, caps, kernel, host):
    """Docker's setupSeccomp: the OCI profile for a host of this GOARCH with these caps and kernel."""
    NATIVE = host["goarch"]
    if profile.get("architectures") and profile.get("archMap"):
        raise Refused("'architectures' and 'archMap' were specified")
    archs = list(profile.get("architectures") or [])
    for entry in profile.get("archMap") or []:
        if entry.get("architecture") == host["scmp"]:
            archs += [entry["architecture"]] + list(entry.get("subArchitectures") or [])
            break
    calls = []
    for call in profile.get("syscalls") or []:
        exc = call.get("excludes") or {}
        inc = call.get("includes") or {}
        if NATIVE in (exc.get("arches") or []):
            continue
        if any(c in caps for c in exc.get("caps") or []):
            continue
        if kernel_at_least(kernel, exc.get("minKernel")) is True:
            continue
        if inc.get("arches") and NATIVE not in inc["arches"]:
            continue
        if any(c not in caps for c in inc.get("caps") or []):
            continue
        if kernel_at_least(kernel, inc.get("minKernel")) is False:
            continue
        names = list(call.get("names") or [])
        if call.get("name"):
            if names:
                raise Refused("'name' and 'names' were specified")
            names = [call["name"]]
        calls.append({**call, "names": names})
    return archs, calls


def runc_action(name, errno_ret):
    """runc getAction (errnoRet passes through int16 and the low 16 bits are kept)."""
    data = EPERM if errno_ret is None else errno_ret & 0xFFFF
    if name in ("SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD"):
        return seccomp.KILL
    if name == "SCMP_ACT_KILL_PROCESS":
        return seccomp.KILL_PROCESS
    if name == "SCMP_ACT_ERRNO":
        return seccomp.ERRNO(data)
    if name == "SCMP_ACT_TRACE":
        return seccomp.TRACE(data)
    if name == "SCMP_ACT_TRAP":
        return seccomp.TRAP
    if name == "SCMP_ACT_ALLOW":
        return seccomp.ALLOW
    if name == "SCMP_ACT_LOG":
        return seccomp.LOG
    if name == "SCMP_ACT_NOTIFY":
        return seccomp.NOTIFY
    raise Refused("invalid action " + repr(name))


def runc_filter(default, target, archs):
    """An empty filter with the host's arch (`target`) and every architecture of `archs`
    (SCMP_ARCH_* names) that libseccomp knows, as runc builds it; and those arches."""
    f = seccomp.SyscallFilter(default)
    # tokens are signed in some places and unsigned in others
    if int(target) & 0xFFFFFFFF != seccomp.system_arch() & 0xFFFFFFFF:
        f.add_arch(target)
        f.remove_arch(seccomp.Arch.NATIVE)
    filter_archs = [target]
    for name in archs:
        arch = getattr(seccomp.Arch, name[len("SCMP_ARCH_"):], None)
        if arch is not None and arch not in filter_archs:
            f.add_arch(arch)
            filter_archs.append(arch)
    return f, filter_archs


def compile_case(case):
    profile = case["profile"]
    host = case.get("host") or AMD64
    native = host["arch"] == "X86_64"
    target = getattr(seccomp.Arch, host["arch"])
    archs, calls = docker_setup(profile, set(case.get("caps") or []), case.get("kernel") or [6, 1], host)
    for arch in archs:
        if arch not in ARCHS:
            raise Refused("invalid arch " + repr(arch))
    for flag in profile.get("flags") or []:
        if flag not in FLAGS:
            raise Refused("flag not known to runc " + repr(flag))
    default = runc_action(profile.get("defaultAction"), profile.get("defaultErrnoRet"))
    if default == seccomp.NOTIFY:
        raise Refused("SCMP_ACT_NOTIFY cannot be used as default action")
    # runc's configs.Syscall list: one per name
    rules = []
    for call in calls:
        action = runc_action(call.get("action"), call.get("errnoRet"))
        args = call.get("args") or []
        for arg in args:
            if arg.get("op") not in OPS:
                raise Refused("invalid operator " + repr(arg.get("op")))
        for name in call["names"]:
            if action == seccomp.NOTIFY and name == "write":
                raise Refused("SCMP_ACT_NOTIFY cannot be used for the write syscall")
            rules.append((name, action, args))
    try:
        f, filter_archs = runc_filter(default, target, archs)
    except Exception as error:
        raise Refused("libseccomp refused the architectures: %s" % error)
    alone = len(filter_archs) == 1
    if len(rules) > 32:
        f.set_attr(seccomp.Attr.CTL_OPTIMIZE, 2)
    skipped, fallback = [], []
    for name, action, args in rules:
        if action == default:
            continue
        # runc resolves the name on the native arch (the library's, x86-64 here): below -1 is a
        # pseudo-syscall, a syscall of other ABIs, which libseccomp translates to those by name
        known = seccomp.resolve_syscall(seccomp.Arch.NATIVE, name) != -1
        nr = seccomp.resolve_syscall(target, name)
        if not known and name in case.get("fallback", {}):
            fallback.append(name)
            if not (native and alone):
                continue
            nr = case["fallback"][name]
        elif not known or (alone and nr < 0):
            skipped.append(name)
            continue
        # The rule names its syscall unless it is numbered (fallback): libseccomp translates it to
        # each architecture by name.
        syscall = nr if name in fallback else name
        conds = [seccomp.Arg(a["index"], OPS[a["op"]], a.get("value", 0), a.get("valueTwo", 0)) for a in args]
        indexes = [a["index"] for a in args]
        groups = [[c] for c in conds] if len(set(indexes)) < len(indexes) else [conds]
        for group in groups:
            try:
                f.add_rule(action, syscall, *group)
            except Exception as error:
                raise Refused("libseccomp refused a rule for %s: %s" % (name, error))
    with tempfile.TemporaryFile() as out:
        f.export_bpf(out)
        out.seek(0)
        bpf = out.read()
    with tempfile.TemporaryFile() as out:
        f.export_pfc(out)
        out.seek(0)
        pfc = out.read().decode()
    names = sorted({name for name, _, _ in rules})
    resolved = {str(int(arch)): {name: seccomp.resolve_syscall(arch, name) for name in names} for arch in filter_archs}
    return {"ok": True, "bpf": bpf.hex(), "pfc": pfc, "skipped": skipped, "fallback": fallback, "resolved": resolved}


def compile_in_child(case, timeout):
    """compile_case in a child process: libseccomp loops forever on some rule sets."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            result = compile_case(case)
        except Refused as error:
            result = {"ok": False, "error": str(error)}
        except Exception as error:  # a bug here, not a refusal: report it as such
            result = {"ok": False, "error": "reference failure: %r" % error, "crash": True}
        with os.fdopen(write_end, "w") as out:
            json.dump(result, out)
        os._exit(0)
    os.close(write_end)
    chunks = []
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        ready, _, _ = select.select([read_end], [], [], max(0, remaining))
        if not ready:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(read_end)
            return {"ok": False, "error": "libseccomp did not finish within %gs" % timeout, "loops": True}
        chunk = os.read(read_end, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    return json.loads(b"".join(chunks).decode())


def main():
    request = json.load(sys.stdin)
    results = []
    for case in request["cases"]:
        result = compile_in_child(case, request.get("timeout", 5))
        if result.get("crash"):
            raise SystemExit(result["error"])
        results.append({"id": case["id"], **result})
    version = ".".join(str(v) for v in getattr(seccomp, "version", lambda: ())()) if hasattr(seccomp, "version") else ""
    json.dump({"libseccomp": version, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
