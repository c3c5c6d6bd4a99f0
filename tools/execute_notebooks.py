"""Re-execute notebooks in place, as `make execute` does (authors only).

Each notebook runs top to bottom in a fresh kernel of this Python (the same one
`make test`'s strict nbval uses), in the notebook's own directory, and is written
back with its new outputs.  No timing metadata is recorded, so re-running an
unchanged notebook leaves the file unchanged.  The environment for determinism
(PYTHONHASHSEED, thread counts, figure backend) is set by the Makefile.

Usage: python tools/execute_notebooks.py book/*.ipynb
"""
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbval.kernel import CURRENT_ENV_KERNEL_NAME, NbvalKernelspecManager


def execute(path: Path, timeout: int = 600) -> None:
    nb = nbformat.read(path, as_version=4)
    # The kernel nbval's --nbval-current-env starts: this interpreter, whatever kernelspecs
    # the machine has installed.
    km = KernelManager(kernel_name=CURRENT_ENV_KERNEL_NAME,
                       kernel_spec_manager=NbvalKernelspecManager())
    client = NotebookClient(nb, km=km, timeout=timeout, record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    nbformat.write(nb, path)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for arg in sys.argv[1:]:
        t0 = time.perf_counter()
        execute(Path(arg))
        print(f"{arg}: executed in {time.perf_counter() - t0:.1f} s", flush=True)
