"""Runs one untrusted HumanEval candidate inside the sandbox and reports a verdict.

Started by execute-humaneval.ts as `python3 -I -B driver.py <limits-json> <program-file>` with the
sandbox's fresh temporary directory as its working directory. Before any untrusted code runs it:
  1. reads a one-time token from stdin (so exiting early or guessing cannot forge a verdict; code
     that walks the stack into this frame can still read it: not a boundary against attackers),
  2. lowers its resource limits (address space, CPU seconds, file size, processes, open files),
  3. reads and deletes the program file (the candidate cannot read the tests from disk),
  4. when it runs in its own mount namespace, makes every mount but its directory read-only,
  5. installs an audit hook (which cannot be removed) that blocks writes outside the working
     directory, process creation, signals to other processes, network sockets and ctypes.
  6. starts a watchdog thread that ends the run when the wall clock runs out (verdict "timeout",
     exit 124) or when the parent is gone (EOF on the lifeline descriptor, exit 125).
The verdict goes to file descriptor 3 as one JSON line: passed / failed / crashed / timeout.
The parent enforces the same wall clock (a little earlier), the output cap, and kills the process
group; the watchdog is what still holds when the parent is stalled or was killed.
"""
import json
import os
import resource
import select
import sys
import threading
import time
import traceback
import types


def _main():
    token = sys.stdin.readline().strip()
    sys.stdin.close()
    limits = json.loads(sys.argv[1])
    program_path = sys.argv[2]
    guards = limits.get("guards", True)

    def set_limit(which, soft, hard=None):
        try:
            resource.setrlimit(which, (soft, soft if hard is None else hard))
        except (ValueError, OSError) as err:
            sys.stderr.write("sandbox: could not set limit %s: %s\n" % (which, err))

    set_limit(resource.RLIMIT_AS, limits["memoryBytes"])
    set_limit(resource.RLIMIT_CPU, limits["cpuSeconds"], limits["cpuSeconds"] + 1)
    set_limit(resource.RLIMIT_FSIZE, limits["fileBytes"])
    # The kernel counts every task (process or thread) of the real uid against RLIMIT_NPROC, not
    # just ours: for a non-root user outside a user namespace (the fallback when `unshare` is
    # refused) a desktop session's hundreds of threads would leave the candidate no thread at all.
    # There the limit is what the user already runs plus `processes`. Root (also the mapped root
    # of our user namespace, whose count starts at zero) needs no correction.
    nproc = limits["processes"]
    if os.getuid() != 0:
        nproc += _tasks_of_uid(os.getuid())
    set_limit(resource.RLIMIT_NPROC, nproc)
    set_limit(resource.RLIMIT_NOFILE, 64)
    set_limit(resource.RLIMIT_CORE, 0)

    with open(program_path, "r", encoding="utf-8") as f:
        source = f.read()
    os.unlink(program_path)
    if limits.get("lockFilesystem"):
        failed = lock_filesystem(os.getcwd())
        if "/" in failed:
            sys.stderr.write("sandbox: could not make / read-only\n")

    _start_watchdog(limits.get("wallSeconds"), limits.get("lifelineFd"), token)

    def report(verdict, detail=""):
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # the candidate closed or replaced it; the verdict still goes out
                pass
        line = json.dumps({"token": token, "verdict": verdict, "detail": detail[-2000:]}) + "\n"
        os.write(3, line.encode("utf-8"))
        # Skip atexit handlers and finalizers the candidate may have registered.
        os._exit(0)

    try:
        code = compile(source, "candidate.py", "exec")
    except (SyntaxError, ValueError) as err:
        traceback.print_exc()
        report("crashed", "does not compile: %s" % err)

    violations = []
    blocked_imports = []
    if guards:
        _install_guard(os.getcwd(), violations, blocked_imports)

    # As in the HumanEval harness (exec with fresh globals, where __name__ is not "__main__"), a
    # candidate's `if __name__ == "__main__":` demo block does not run: it would read stdin or
    # assert its own examples. A registered module keeps dataclasses, typing and pickle working.
    module = types.ModuleType("candidate")
    sys.modules["candidate"] = module
    try:
        exec(code, module.__dict__)
    except AssertionError:
        traceback.print_exc()
        outcome, detail = "failed", "a test assertion failed"
    except MemoryError:
        traceback.print_exc()
        outcome, detail = "crashed", "memory limit exceeded"
    except SystemExit as err:
        outcome, detail = "crashed", "the program exited (code %r) before the tests finished" % (err.code,)
    except BaseException as err:  # noqa: B036 - any other error raised by the candidate
        traceback.print_exc()
        outcome, detail = "failed", "raised %s: %s" % (type(err).__name__, err)
    else:
        outcome, detail = "passed", ""
    # A refused import that the code caught and did without (numpy imports ctypes inside
    # try/except ImportError) changed nothing: it only counts when the run did not pass.
    if violations or (blocked_imports and outcome != "passed"):
        outcome, detail = "crashed", "sandbox blocked: " + "; ".join((violations + blocked_imports)[:5])
        sys.stderr.write(detail + "\n")
    report(outcome, detail)


def _start_watchdog(wall_seconds, lifeline_fd, token):
    """A daemon thread that ends the process at the wall-clock limit or when the parent is gone.

    It runs beside the candidate (time.sleep and blocking I/O release the GIL; pure computation
    that holds it is capped by RLIMIT_CPU). It keeps its own references to os._exit and os.write,
    so a candidate replacing them in the os module changes nothing.
    """
    if not wall_seconds and lifeline_fd is None:
        return
    _exit, _write, _read, monotonic = os._exit, os.write, os.read, time.monotonic
    deadline = monotonic() + wall_seconds if wall_seconds else None
    line = json.dumps({
        "token": token,
        "verdict": "timeout",
        "detail": "wall-clock limit of %g s exceeded (enforced inside the sandbox)" % (wall_seconds or 0),
    }) + "\n"

    def watch():
        while True:
            left = None if deadline is None else deadline - monotonic()
            if left is not None and left <= 0:
                try:
                    _write(3, line.encode("utf-8"))
                finally:
                    _exit(124)
            if lifeline_fd is None:
                time.sleep(left)
                continue
            try:
                ready, _, _ = select.select([lifeline_fd], [], [], left)
                if ready and not _read(lifeline_fd, 1):
                    _exit(125)  # EOF: the parent is gone, and nobody will read a verdict
            except (OSError, ValueError):
                _exit(125)  # the candidate closed or replaced the lifeline

    threading.Thread(target=watch, name="sandbox-watchdog", daemon=True).start()


def _tasks_of_uid(uid):
    """Tasks (threads of all processes) whose real uid is `uid`, as RLIMIT_NPROC counts them."""
    count = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        real_uid = threads = None
        try:
            with open("/proc/%s/status" % name) as f:
                for line in f:
                    if line.startswith("Uid:"):
                        real_uid = int(line.split()[1])
                    elif line.startswith("Threads:"):
                        threads = int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
        if real_uid == uid:
            count += threads or 1
    return count


# mount(2) flags, from <sys/mount.h>.
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_NOATIME, _MS_NODIRATIME, _MS_BIND = 32, 1024, 2048, 4096
_MS_REC, _MS_PRIVATE, _MS_RELATIME, _MS_STRICTATIME = 16384, 1 << 18, 1 << 21, 1 << 24


def lock_filesystem(workdir):
    """Inside our own mount namespace: make every mount read-only except the working directory.

    Only meaningful when started under `unshare --user --mount` (mapped root may remount its
    private copy of the mount tree). Flags the kernel locked on a mount (noexec, atime mode) are
    carried over, since dropping them is refused. Returns the mount points that could not be
    locked. ctypes is used here, before the guard exists, and then forgotten so the candidate
    has to import it again (which the guard refuses).
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    failed = []

    def mount(source, target, flags):
        if libc.mount(source, target.encode(), None, ctypes.c_ulong(flags), None) != 0:
            raise OSError(ctypes.get_errno(), "mount %s" % target)

    try:
        mount(b"none", "/", _MS_REC | _MS_PRIVATE)
        mount(workdir.encode(), workdir, _MS_BIND)
    except OSError:
        return ["/"]
    # Our cwd still points into the mount underneath; step onto the new bind mount.
    os.chdir(workdir)
    with open("/proc/self/mounts") as f:
        entries = [line.split() for line in f]
    for entry in entries:
        target = entry[1].replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")
        opts = set(entry[3].split(","))
        flags = _MS_REMOUNT | _MS_BIND | _MS_NOSUID | _MS_NODEV
        if target != workdir:
            flags |= _MS_RDONLY
        if "noexec" in opts:
            flags |= _MS_NOEXEC
        if "noatime" in opts:
            flags |= _MS_NOATIME
        elif "strictatime" in opts:
            flags |= _MS_STRICTATIME
        elif "relatime" in opts:
            flags |= _MS_RELATIME
        if "nodiratime" in opts:
            flags |= _MS_NODIRATIME
        try:
            mount(b"none", target, flags)
        except OSError:
            failed.append(target)
    for name in ("ctypes", "_ctypes", "ctypes._endian"):
        sys.modules.pop(name, None)
    return failed


def _install_guard(root, violations, blocked_imports):
    """Audit hook: once added it stays for the life of the interpreter.

    A blocked action raises PermissionError and is recorded in `violations`; a blocked import
    raises ImportError (what libraries expect of a missing optional module) and is recorded in
    `blocked_imports`. Either way the module or action never takes effect.
    """
    root = os.path.realpath(root)
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    realpath = os.path.realpath
    fspath = os.fspath
    AF_UNIX = 1
    blocked_always = {
        "os.fork", "os.forkpty", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
        "subprocess.Popen", "os.kill", "os.killpg", "signal.pthread_kill",
        "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg",
        "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
        "socket.gethostbyaddr", "socket.getnameinfo", "ctypes.dlopen", "ctypes.dlsym",
        "ctypes.cdata", "ctypes.call_function",
    }
    path_events = {
        "os.remove": 1, "os.rmdir": 1, "os.mkdir": 1, "os.chmod": 1, "os.chown": 1,
        "os.truncate": 1, "os.utime": 1, "os.rename": 2, "os.link": 2, "os.symlink": 2,
        "shutil.rmtree": 1, "shutil.move": 2, "shutil.copyfile": 2,
    }
    # _posixsubprocess.fork_exec would start processes without an audit event.
    blocked_modules = {"ctypes", "_ctypes", "cffi", "_posixsubprocess"}

    def inside(p):
        if isinstance(p, int):
            return True  # an already-open descriptor
        try:
            p = fspath(p)
            if isinstance(p, bytes):
                p = p.decode("utf-8", "surrogateescape")
            full = realpath(p)
        except Exception:
            return False
        return full == root or full.startswith(root + os.sep)

    def deny(what):
        violations.append(what)
        raise PermissionError("sandbox: %s is not allowed" % what)

    def hook(event, args):
        if event in blocked_always:
            deny(event)
        elif event == "open":
            path, mode, flags = args
            writing = (mode is not None and any(c in str(mode) for c in "wax+")) or (
                mode is None and isinstance(flags, int) and flags & write_flags
            )
            if writing and not inside(path):
                deny("writing %s" % (path,))
        elif event in path_events:
            for p in args[: path_events[event]]:
                if not inside(p):
                    deny("%s on %s" % (event, p))
        elif event == "socket.__new__":
            if len(args) > 1 and args[1] != AF_UNIX:
                deny("opening a network socket")
        elif event == "import":
            if args[0] in blocked_modules:
                blocked_imports.append("importing %s" % args[0])
                raise ImportError("sandbox: importing %s is not allowed" % args[0], name=args[0])

    sys.addaudithook(hook)


if __name__ == "__main__":
    _main()
