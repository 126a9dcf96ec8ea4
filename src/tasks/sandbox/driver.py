"""Runs one untrusted HumanEval candidate inside the sandbox and reports a verdict.

Started by execute-humaneval.ts as `python3 -I -B driver.py <limits-json> <program-file>` with the
sandbox's fresh temporary directory as its working directory. Before any untrusted code runs it:
  1. reads a one-time token from stdin (so the candidate cannot forge a verdict),
  2. lowers its resource limits (address space, CPU seconds, file size, processes, open files),
  3. reads and deletes the program file (the candidate cannot read the tests from disk),
  4. installs an audit hook (which cannot be removed) that blocks writes outside the working
     directory, process creation, signals to other processes, network sockets and ctypes.
The verdict goes to file descriptor 3 as one JSON line: passed / failed / crashed.
Timeouts, the output cap and killing the process group are done by the parent.
"""
import json
import os
import resource
import sys
import traceback


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
    set_limit(resource.RLIMIT_NPROC, limits["processes"])
    set_limit(resource.RLIMIT_NOFILE, 64)
    set_limit(resource.RLIMIT_CORE, 0)

    with open(program_path, "r", encoding="utf-8") as f:
        source = f.read()
    os.unlink(program_path)

    def report(verdict, detail=""):
        sys.stdout.flush()
        sys.stderr.flush()
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
    if guards:
        _install_guard(os.getcwd(), violations)

    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        exec(code, namespace)
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
    if violations:
        outcome, detail = "crashed", "sandbox blocked: " + "; ".join(violations[:5])
        sys.stderr.write(detail + "\n")
    report(outcome, detail)


def _install_guard(root, violations):
    """Audit hook: once added it stays for the life of the interpreter."""
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
        "socket.gethostbyaddr", "socket.getnameinfo", "ctypes.dlopen", "ctypes.cdata",
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
                deny("importing %s" % args[0])

    sys.addaudithook(hook)


_main()
