"""Other processes on this machine, as Linux's /proc shows them: for the commands that measure a
server or Janus beside them (`loadtest`, `meeting_check`)."""

import os


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (OSError if it cannot be read)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_named(name: str) -> int | None:
    """The pid of a process whose command is `name`, if one runs."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as comm:
                    if comm.read().strip() == name:
                        return int(entry)
            except OSError:
                continue
    return None
