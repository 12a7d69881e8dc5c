"""Raw-socket HTTP and /proc readings for the Python parts of the health
tests (tests/integration/*.sh run them with PYTHONPATH=$CLAW_SRC/tests/helpers).
Raw sockets, not http.client: the tests look at the bytes the server sends,
a body after a HEAD included."""
import os
import socket


def exchange(port, request, timeout):
    """Sends `request` (bytes) on a fresh connection to 127.0.0.1:port and
    returns everything read until the server closes."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(request)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk
    finally:
        s.close()


def proc_status(pid, field):
    """A number field of /proc/PID/status (VmRSS, VmHWM: kB), or None."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def fd_count(pid):
    """How many descriptors PID holds."""
    return len(os.listdir("/proc/%d/fd" % pid))
