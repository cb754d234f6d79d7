# Shared by tools/setup.sh and tools/test.sh: checks the machine, then installs Debian packages.
# Nothing is installed unless every check passes, so a wrong machine is left untouched.

kit_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

require_machine() {
    local os_id="" os_version=""
    if [ -r /etc/os-release ]; then
        os_id=$(. /etc/os-release && echo "${ID:-}")
        os_version=$(. /etc/os-release && echo "${VERSION_ID:-}")
    fi
    if [ "$os_id" != "debian" ] || [ "$os_version" != "12" ]; then
        echo "error: this kit installs its dependencies from Debian 12 (bookworm) packages;" >&2
        echo "       this machine is '${os_id:-unknown} ${os_version:-}'. Nothing was installed." >&2
        exit 1
    fi
    if [ "$(uname -m)" != "x86_64" ]; then
        echo "error: the kit builds x86-64 Xen PV kernels and needs an x86-64 machine. Nothing was installed." >&2
        exit 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "error: installing Debian packages needs root: run $0 as root (or 'sudo $0'). Nothing was installed." >&2
        exit 1
    fi
}

install_packages() {
    local root pkgs missing=()
    root=$(kit_root)
    pkgs=$(grep -v '^#' "$root/tools/packages.txt" | grep -v '^$')
    for p in $pkgs; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        echo "setup: all $(wc -w <<<"$pkgs") Debian packages already installed"
        return
    fi
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# What both README commands start with: check the machine, install what is missing, and
# configure and build everything in build/ (leaves the shell in the kit's root).
install_and_build() {
    require_machine
    install_packages
    cd "$(kit_root)"
    cmake -S . -B build
    cmake --build build --parallel "$(nproc)"
}
