#!/bin/sh
# install.sh: install geo-response into an OSSEC or Wazuh installation.
# POSIX sh, never prompts (runs from configuration management); see --help.
set -eu

PROG=install.sh
SRC_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
MIN_NODE_MAJOR=18
MIN_NODE_MINOR=19
# Linux reads at most 127 bytes of a "#!" line before 5.1 (BINPRM_BUF_SIZE 128);
# a longer interpreter path is cut off, so refuse rather than install a broken file.
SHEBANG_MAX_BYTES=127
DEFAULT_NODE_DIRS=/usr/local/bin:/usr/bin:/bin:/opt/node/bin:/opt/nodejs/bin:/snap/bin
MARK_BEGIN='<!-- BEGIN geo-response: added by geo-response install.sh -->'
MARK_END='<!-- END geo-response -->'
# The blocks earlier versions inserted, as "cksum" prints them (checksum and size of the lines
# from MARK_BEGIN to MARK_END): an upgrade replaces such a block, which nobody edited, and keeps
# any other exactly as the admin left it (test/fixtures/previous-blocks/ holds their snippets).
PREVIOUS_BLOCKS='1719532344 699
3559275221 660
3454278224 995
2301652103 889'
# The boot unit that runs "geo-response blocks restore" (active-response/geo-response-restore.service).
# Where units go and how to tell that systemd runs (sd_booted(3)'s test) can be changed: tests do,
# and so can an admin who keeps local units in /usr/local/lib/systemd/system.
SYSTEMD_UNIT=geo-response-restore.service
SYSTEMD_UNIT_DIR=${GEO_RESPONSE_SYSTEMD_UNIT_DIR:-/etc/systemd/system}
SYSTEMD_RUNNING_DIR=${GEO_RESPONSE_SYSTEMD_RUNNING_DIR:-/run/systemd/system}
SYSTEMCTL=${GEO_RESPONSE_SYSTEMCTL:-systemctl}
UNIT_MARK='# Installed by geo-response install.sh; removed by install.sh --uninstall.'

usage() {
  cat <<EOF
Usage: $PROG [options]

Installs geo-response into an OSSEC or Wazuh installation:
  active-response/bin/geo-response  the bundled executable, its #! line set to an
                                    absolute Node >= $MIN_NODE_MAJOR.$MIN_NODE_MINOR (root:GROUP 0750)
  active-response/bin/geo-response.<build>.parts
                                    the parts of the program only some paths run (root:GROUP 0640)
  CONF/dbip-country-lite.mmdb       the embedded DB-IP Lite country database (root:GROUP 0640)
  CONF/geo-response.json            example policy: logs only (root:GROUP 0640, never overwritten)
  (CONF is etc/ where only root can change it, as on OSSEC; else active-response/etc/,
  as on Wazuh, whose etc/ its group can write: see docs/security.md)
  logs/geo-response.log             the geo log, owned like logs/active-responses.log
then runs one add and delete alert as execd would, its records and firewall kept apart, so that
the first real alert finds the code caches (see docs/install-and-upgrade.md, "The warm-up alert"),
and prints the <command> and <active-response> blocks for etc/ossec.conf.

Options:
  --prefix DIR   the OSSEC/Wazuh installation (default: /var/ossec)
  --node PATH    the Node.js executable to use (default: first Node >= $MIN_NODE_MAJOR.$MIN_NODE_MINOR
                 found in \$PATH, then $DEFAULT_NODE_DIRS;
                 GEO_RESPONSE_NODE_PATH=DIR:DIR... replaces that search list)
  --group NAME   group owning the installed files (default: the group of etc/ossec.conf)
  --apply        also insert the blocks into etc/ossec.conf, after a timestamped backup
                 (between marker comments; never twice), and where systemd runs install
                 and enable $SYSTEMD_UNIT (geo-response blocks restore at boot)
  --dry-run      print every action and change nothing
  --uninstall    remove the executable, its parts, the database, the inserted blocks and
                 the boot unit (the configuration, the logs, the block state and the login
                 history stay)
  --purge        with --uninstall: also remove CONF/geo-response.json, logs/geo-response.log*
                 and active-response/state/ (the blocks recorded for restore, the login history)
  -h, --help     show this help

Exit status: 0 done (or nothing to do), 1 failed (nothing changed when a check failed), 2 usage error.
EOF
}

say() { printf '%s\n' "$*"; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
usage_error() { printf '%s: %s (see %s --help)\n' "$PROG" "$*" "$PROG" >&2; exit 2; }

PREFIX=/var/ossec
NODE=
GROUP=
APPLY=no
DRY_RUN=no
UNINSTALL=no
PURGE=no
CONF_CHANGED=no
STRANDED=no

need_value() { [ $# -ge 2 ] && [ -n "$2" ] || usage_error "$1 needs a value"; }

while [ $# -gt 0 ]; do
  case $1 in
    --prefix) need_value "$@"; PREFIX=$2; shift 2 ;;
    --prefix=*) PREFIX=${1#*=}; shift ;;
    --node) need_value "$@"; NODE=$2; shift 2 ;;
    --node=*) NODE=${1#*=}; shift ;;
    --group) need_value "$@"; GROUP=$2; shift 2 ;;
    --group=*) GROUP=${1#*=}; shift ;;
    --apply) APPLY=yes; shift ;;
    --dry-run) DRY_RUN=yes; shift ;;
    --uninstall) UNINSTALL=yes; shift ;;
    --purge) PURGE=yes; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
[ "$PURGE" = no ] || [ "$UNINSTALL" = yes ] || usage_error "--purge only goes with --uninstall"
[ "$APPLY" = no ] || [ "$UNINSTALL" = no ] || usage_error "--apply and --uninstall exclude each other"

umask 027
TMP_FILES=
PRIVATE_DIR=
cleanup() {
  for f in $TMP_FILES; do rm -f -- "$f"; done
  if [ -n "$PRIVATE_DIR" ]; then rm -rf -- "$PRIVATE_DIR"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# A temporary file in a directory only root can write, inside the installation (the same file
# system, so the final mv is an atomic rename). Never in the target's own directory: logs/ and
# Wazuh's etc/ are the group's, and there a temporary file can be swapped for a link between its
# creation and the chown, chmod or write that follows, which would then act on the link's target.
make_temp() {
  make_private_dir
  t=$(mktemp "$PRIVATE_DIR/file.XXXXXX") || die "cannot create a temporary file in $PRIVATE_DIR"
  TEMP=$t
}

make_private_dir() {
  if [ -z "$PRIVATE_DIR" ]; then
    PRIVATE_DIR=$(mktemp -d "$HOME_DIR/.geo-response-install.XXXXXX") || die "cannot create a private directory in $HOME_DIR"
  fi
}

# Copies FILE to the private file OUT without following a link or blocking on a FIFO, and prints
# "uid:gid mode" of what it read: etc/ossec.conf and an old etc/geo-response.json sit where
# Wazuh's group can swap them for a link to a file only root may read, whose bytes would then land
# in a file the group reads. A shell cannot open without following links; Node can.
read_no_follow() {
  [ -n "$NODE" ] || find_node
  "$NODE" -e '
    const fs = require("fs"), c = fs.constants, [src, out] = process.argv.slice(1);
    let fd;
    try { fd = fs.openSync(src, c.O_RDONLY | c.O_NOFOLLOW | c.O_NONBLOCK); } catch (e) { console.error(`${src}: ${e.code}`); process.exit(1); }
    const s = fs.fstatSync(fd);
    if (!s.isFile() || s.nlink !== 1) { console.error(`${src} is not a regular file with one link: not read`); process.exit(1); }
    fs.writeFileSync(out, fs.readFileSync(fd));
    console.log(`${s.uid}:${s.gid} ${(s.mode & 0o7777).toString(8)}`);
  ' "$1" "$2"
}

# SNAP: a private copy of etc/ossec.conf that every later step reads; CONF_META its "uid:gid mode".
snapshot_conf() {
  make_scratch
  SNAP=$TEMP
  CONF_META=$(read_no_follow "$1" "$SNAP") || die "cannot read $1 safely"
}

# A temporary file outside the installation, for work that --dry-run also does.
make_scratch() {
  t=$(mktemp "${TMPDIR:-/tmp}/geo-response-install.XXXXXX") || die "cannot create a temporary file in ${TMPDIR:-/tmp}"
  TMP_FILES="$TMP_FILES $t"
  TEMP=$t
}

# Run "$@" unless --dry-run; either way say what it is, with DESC first.
act() {
  desc=$1
  shift
  if [ "$DRY_RUN" = yes ]; then
    say "would $desc"
  else
    say "$desc"
    "$@"
  fi
}

# ---------------------------------------------------------------- checks

# Sets HOME_DIR, PRODUCT (ossec|wazuh), PRODUCT_VERSION, INSTALL_TYPE, CONTROL, PROTOCOL (argv|json).
detect_installation() {
  case $PREFIX in
    /*) HOME_DIR=$PREFIX ;;
    *) HOME_DIR=$(pwd)/$PREFIX ;;
  esac
  HOME_DIR=${HOME_DIR%/}
  [ -d "$HOME_DIR" ] || die "$HOME_DIR does not exist: no OSSEC/Wazuh installation there (give its directory with --prefix DIR)"
  missing=
  [ -f "$HOME_DIR/etc/ossec.conf" ] || missing="$missing, etc/ossec.conf"
  [ -d "$HOME_DIR/active-response/bin" ] || missing="$missing, active-response/bin/"
  [ -d "$HOME_DIR/logs" ] || missing="$missing, logs/"
  if [ -f "$HOME_DIR/bin/wazuh-control" ]; then
    CONTROL=wazuh-control
  elif [ -f "$HOME_DIR/bin/ossec-control" ]; then
    CONTROL=ossec-control
  else
    CONTROL=
    missing="$missing, bin/wazuh-control (Wazuh) or bin/ossec-control (OSSEC)"
  fi
  [ -z "$missing" ] || die "$HOME_DIR is not an OSSEC/Wazuh installation: missing ${missing#, }"

  control=$HOME_DIR/bin/$CONTROL
  init_conf=$HOME_DIR/etc/ossec-init.conf
  name=$(read_var NAME "$control" "$init_conf")
  PRODUCT_VERSION=$(read_var VERSION "$control" "$init_conf")
  INSTALL_TYPE=$(read_var TYPE "$control" "$init_conf")
  if [ "$CONTROL" = wazuh-control ]; then
    PRODUCT=wazuh
  else
    # Wazuh before 4.2 still shipped bin/ossec-control, with NAME="Wazuh".
    case $name in
      *[Ww]azuh*) PRODUCT=wazuh ;;
      *) PRODUCT=ossec ;;
    esac
  fi
  if [ -z "$INSTALL_TYPE" ]; then
    if [ -f "$HOME_DIR/bin/wazuh-analysisd" ] || [ -f "$HOME_DIR/bin/ossec-analysisd" ]; then
      INSTALL_TYPE=server
    else
      INSTALL_TYPE=agent
    fi
  fi
  # Wazuh 4.2 replaced the OSSEC arguments with JSON on stdin (and dropped <expect>).
  PROTOCOL=argv
  if [ "$PRODUCT" = wazuh ]; then
    v=${PRODUCT_VERSION#v}
    major=${v%%.*}
    rest=${v#*.}
    minor=${rest%%.*}
    case "$major.$minor" in
      [0-9]*.[0-9]*)
        if [ "$major" -gt 4 ] || { [ "$major" -eq 4 ] && [ "$minor" -ge 2 ]; }; then PROTOCOL=json; fi ;;
      *) [ "$CONTROL" = ossec-control ] || PROTOCOL=json ;;
    esac
  fi
}

# The value of NAME="value" in the first of FILES that sets it, without running them.
read_var() {
  var=$1
  shift
  for f in "$@"; do
    [ -f "$f" ] || continue
    val=$(sed -n "s/^$var=\"\{0,1\}\([^\"]*\)\"\{0,1\}[[:space:]]*\$/\1/p" "$f" | head -n 1)
    if [ -n "$val" ]; then
      printf '%s' "$val"
      return 0
    fi
  done
  return 0
}

group_exists() {
  if command -v getent >/dev/null 2>&1; then
    getent group "$1" >/dev/null 2>&1
  else
    grep -q "^$1:" /etc/group
  fi
}

user_exists() {
  if command -v getent >/dev/null 2>&1; then
    getent passwd "$1" >/dev/null 2>&1
  else
    grep -q "^$1:" /etc/passwd
  fi
}

# Sets GROUP (the installation's group) and LOG_OWNER/LOG_MODE (as logs/active-responses.log).
detect_owners() {
  if [ -z "$GROUP" ]; then
    GROUP=$(stat -c %G "$HOME_DIR/etc/ossec.conf")
    if [ "$GROUP" = root ] || [ "$GROUP" = UNKNOWN ]; then
      GROUP=$(stat -c %G "$HOME_DIR")
    fi
    if [ "$GROUP" = root ] || [ "$GROUP" = UNKNOWN ]; then
      GROUP=
      for g in wazuh ossec; do
        if group_exists "$g"; then GROUP=$g; break; fi
      done
      [ -n "$GROUP" ] || die "cannot tell the installation's group: etc/ossec.conf belongs to group root and neither group wazuh nor ossec exists; give it with --group NAME"
    fi
  fi
  group_exists "$GROUP" || die "group $GROUP does not exist (give the installation's group with --group NAME)"

  ar_log=$HOME_DIR/logs/active-responses.log
  if [ -f "$ar_log" ]; then
    # Numeric ids: they chown correctly even where the names do not resolve.
    LOG_OWNER=$(stat -c %u:%g "$ar_log")
    LOG_OWNER_NAMES=$(stat -c %U:%G "$ar_log")
    LOG_MODE=$(stat -c %a "$ar_log")
  else
    LOG_OWNER=root:$GROUP
    if user_exists "$GROUP"; then LOG_OWNER=$GROUP:$GROUP; fi
    LOG_MODE=660
    LOG_OWNER_NAMES=$LOG_OWNER
  fi
}

# 0 when NODE_CANDIDATE runs and is new enough; sets NODE_VERSION (empty when it does not run).
node_is_recent() {
  NODE_VERSION=
  [ -f "$1" ] && [ -x "$1" ] || return 1
  NODE_VERSION=$("$1" --version 2>/dev/null | head -n 1) || NODE_VERSION=
  case $NODE_VERSION in
    v[0-9]*.[0-9]*) ;;
    *) NODE_VERSION=; return 1 ;;
  esac
  v=${NODE_VERSION#v}
  major=${v%%.*}
  rest=${v#*.}
  minor=${rest%%.*}
  case $major$minor in *[!0-9]*) return 1 ;; esac
  [ "$major" -gt "$MIN_NODE_MAJOR" ] || { [ "$major" -eq "$MIN_NODE_MAJOR" ] && [ "$minor" -ge "$MIN_NODE_MINOR" ]; }
}

# Sets NODE to an absolute path of a Node >= 18.19 (execd's PATH is minimal, so the
# installed executable names its interpreter in full and never relies on env).
find_node() {
  need="Node.js >= $MIN_NODE_MAJOR.$MIN_NODE_MINOR"
  if [ -n "$NODE" ]; then
    case $NODE in
      /*) ;;
      */*) NODE=$(pwd)/$NODE ;;
      *) found=$(command -v "$NODE" 2>/dev/null) || die "--node $NODE: not found in PATH"; NODE=$found ;;
    esac
    [ -f "$NODE" ] && [ -x "$NODE" ] || die "--node $NODE: no executable file there; geo-response needs $need"
    if ! node_is_recent "$NODE"; then
      [ -n "$NODE_VERSION" ] || die "--node $NODE: does not run as Node.js ('$NODE --version' failed); geo-response needs $need"
      die "--node $NODE is Node.js $NODE_VERSION; geo-response needs $need (install a newer Node.js and pass its path with --node)"
    fi
  else
    search=${GEO_RESPONSE_NODE_PATH-$PATH:$DEFAULT_NODE_DIRS}
    rejected=
    saved_ifs=$IFS
    IFS=:
    for dir in $search; do
      IFS=$saved_ifs
      case $dir in /*) ;; *) continue ;; esac
      for name in node nodejs; do
        candidate=${dir%/}/$name
        [ -f "$candidate" ] || continue
        if node_is_recent "$candidate"; then
          NODE=$candidate
          break 2
        fi
        rejected="$rejected; $candidate is ${NODE_VERSION:-not a working Node.js}"
      done
    done
    IFS=$saved_ifs
    if [ -z "$NODE" ]; then
      [ -z "$rejected" ] || die "no $need found:${rejected#;}. Install a newer Node.js and pass its path with --node PATH"
      die "no Node.js found (looked for node and nodejs in ${search:-nothing}); geo-response needs $need: install it and pass its path with --node PATH"
    fi
  fi
  case $NODE in
    *[[:space:]]*) die "the Node.js path '$NODE' contains white space, which a #! line cannot hold; link it from a plain path (ln -s '$NODE' /usr/local/bin/node) and pass that with --node" ;;
  esac
  shebang_len=$(printf '#!%s' "$NODE" | wc -c)
  [ "$shebang_len" -le "$SHEBANG_MAX_BYTES" ] || die "the Node.js path $NODE is too long for a #! line ($shebang_len bytes, Linux reads $SHEBANG_MAX_BYTES); link it from a short path (ln -s $NODE /usr/local/bin/node) and pass that with --node"
}

# The build an executable carries (its GEO-RESPONSE-BUILD line), or nothing.
build_of() {
  sed -n 's/.*GEO-RESPONSE-BUILD \([0-9a-f]\{16\}\).*/\1/p' "$1" 2>/dev/null | head -n 1
}

# Sets PARTS: the parts file of the bundle's build (src/loader/parts-file.ts), beside it in dist/.
find_parts() {
  PARTS=$SRC_DIR/dist/geo-response.$(build_of "$BUNDLE").parts
}

# What dist/ lacks of a build: the executable, its parts file, the database.
missing_build_files() {
  absent=
  [ -f "$BUNDLE" ] || absent="$absent, geo-response.js"
  [ -f "$BUNDLE" ] && [ ! -f "$PARTS" ] && absent="$absent, the parts file of its build ($(basename -- "$PARTS"))"
  [ -f "$DATABASE" ] || absent="$absent, dbip-country-lite.mmdb"
  printf '%s' "${absent#, }"
}

# Sets BUNDLE, PARTS and DATABASE; notes whether a build is needed.
check_bundle() {
  BUNDLE=$SRC_DIR/dist/geo-response.js
  DATABASE=$SRC_DIR/dist/dbip-country-lite.mmdb
  find_parts
  BUILD=no
  if [ ! -f "$BUNDLE" ] || [ ! -f "$PARTS" ] || [ ! -f "$DATABASE" ]; then
    [ -f "$SRC_DIR/package.json" ] || die "$SRC_DIR/dist lacks $(missing_build_files), and $SRC_DIR has no package.json to build them from"
    NPM=$(dirname -- "$NODE")/npm
    if [ ! -x "$NPM" ]; then
      NPM=$(command -v npm 2>/dev/null) || die "$SRC_DIR/dist lacks $(missing_build_files), and npm is not found (looked beside $NODE and in PATH) to build it; run 'npm ci && npm run build' in $SRC_DIR"
    fi
    BUILD=yes
  fi
}

build_bundle() {
  # The build's own scripts find node through PATH: put the chosen one first.
  (
    cd "$SRC_DIR"
    PATH=$(dirname -- "$NODE"):$PATH
    export PATH
    if [ ! -d node_modules ]; then "$NPM" ci; fi
    "$NPM" run build
  ) || die "the build failed (npm ci && npm run build in $SRC_DIR)"
  find_parts
  [ -f "$BUNDLE" ] && [ -f "$PARTS" ] && [ -f "$DATABASE" ] || die "the build did not produce $BUNDLE, its parts file and $DATABASE"
}

# ---------------------------------------------------------------- file actions

# Copy SRC to DEST atomically with OWNER and MODE; keep DEST when it is identical.
install_file() {
  src=$1 dest=$2 owner=$3 mode=$4
  if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
    act "keep $dest (up to date; $owner $mode)" set_owner_mode "$dest" "$owner" "$mode"
    return 0
  fi
  act "install $dest ($owner $mode)" copy_atomic "$src" "$dest" "$owner" "$mode"
}

set_owner_mode() {
  chown "$2" "$1"
  chmod "$3" "$1"
}

copy_atomic() {
  make_temp
  cp "$1" "$TEMP"
  set_owner_mode "$TEMP" "$3" "$4"
  rename_over "$TEMP" "$2"
}

# -T: a link to a directory planted at DEST is replaced; without it mv would move the file into
# that directory (wherever the link points).
rename_over() {
  mv -f -T "$1" "$2"
}

# The bundle with its "#!/usr/bin/env node" replaced by "#!$NODE", as a temporary file.
write_executable() {
  make_temp
  first=$(head -n 1 "$BUNDLE")
  {
    printf '#!%s\n' "$NODE"
    case $first in
      '#!'*) tail -n +2 "$BUNDLE" ;;
      *) cat "$BUNDLE" ;;
    esac
  } >"$TEMP"
  EXECUTABLE_SOURCE=$TEMP
}

create_log() {
  make_temp
  set_owner_mode "$TEMP" "$2" "$3"
  # A log that appeared meanwhile (an alert, logrotate) wins: keep it. -n -T: never replace
  # anything at that name, and never move into a directory a link there points to.
  if ! mv -n -T "$TEMP" "$1" 2>/dev/null; then
    [ -e "$1" ] || [ -L "$1" ] || die "cannot create $1"
  fi
  rm -f "$TEMP"
}

remove_file() {
  rm -f -- "$1"
}

rmdir_if_empty() {
  rmdir -- "$1" 2>/dev/null || true
}

# ---------------------------------------------------------------- ossec.conf

snippet_file() {
  if [ "$PROTOCOL" = json ]; then
    printf '%s' "$SRC_DIR/active-response/ossec.conf.wazuh.xml"
  else
    printf '%s' "$SRC_DIR/active-response/ossec.conf.ossec.xml"
  fi
}

# The <localfile> that reads the geo log back: as syslog lines on OSSEC (it has no JSON decoder;
# its decoder reads the record's leading "message"), as JSON on Wazuh.
geo_log_snippet_file() {
  if [ "$PRODUCT" = wazuh ]; then
    printf '%s' "$SRC_DIR/active-response/ossec.conf.geo-log.wazuh.xml"
  else
    printf '%s' "$SRC_DIR/active-response/ossec.conf.geo-log.ossec.xml"
  fi
}

# The files the blocks go into (KIND: conf, decoder, rules). Wazuh decodes the geo log with its
# own JSON decoder, so it gets no decoder block.
block_target() {
  case $1 in
    conf) printf '%s' "$HOME_DIR/etc/ossec.conf" ;;
    decoder) printf '%s' "$HOME_DIR/etc/local_decoder.xml" ;;
    rules)
      if [ "$PRODUCT" = wazuh ]; then
        printf '%s' "$HOME_DIR/etc/rules/local_rules.xml"
      else
        printf '%s' "$HOME_DIR/rules/local_rules.xml"
      fi
      ;;
  esac
}

block_kinds() {
  if [ "$PRODUCT" = wazuh ]; then printf 'conf rules'; else printf 'conf decoder rules'; fi
}

# Writes to FILE the lines to insert for KIND (default conf), between the markers: in ossec.conf
# the command, the active response and the geo log's <localfile> (its path under this
# installation), indented inside <ossec_config>; in the local decoder and rules files the
# decoder and rules, at the top level.
write_block() {
  case ${2:-conf} in
    conf)
      {
        printf '  %s\n' "$MARK_BEGIN"
        sed 's/^\(.\)/  \1/' "$(snippet_file)"
        printf '\n'
        home_escaped=$(printf '%s' "$HOME_DIR" | sed 's/[#&\\]/\\&/g')
        sed -e 's/^\(.\)/  \1/' -e "s#/var/ossec/#$home_escaped/#g" "$(geo_log_snippet_file)"
        printf '  %s\n' "$MARK_END"
      } >"$1"
      ;;
    decoder)
      { printf '%s\n' "$MARK_BEGIN"; cat "$SRC_DIR/active-response/ossec.local_decoder.xml"; printf '%s\n' "$MARK_END"; } >"$1"
      ;;
    rules)
      { printf '%s\n' "$MARK_BEGIN"; cat "$SRC_DIR/active-response/$PRODUCT.local_rules.xml"; printf '%s\n' "$MARK_END"; } >"$1"
      ;;
  esac
}

# Sets BLOCK_BEGIN/BLOCK_END (line numbers, empty when absent); refuses a damaged pair.
# Finds the marker lines in FILE (the snapshot); NAME is what messages call it.
find_block() {
  fb_file=$1 fb_name=$2
  begins=$(grep -n -F -e "$MARK_BEGIN" "$fb_file" | cut -d: -f1 | tr '\n' ' ')
  ends=$(grep -n -F -e "$MARK_END" "$fb_file" | cut -d: -f1 | tr '\n' ' ')
  set -- $begins
  nb=$#
  BLOCK_BEGIN=${1:-}
  set -- $ends
  ne=$#
  BLOCK_END=${1:-}
  if [ "$nb" -eq 0 ] && [ "$ne" -eq 0 ]; then return 0; fi
  if [ "$nb" -ne 1 ] || [ "$ne" -ne 1 ] || [ "$BLOCK_END" -le "$BLOCK_BEGIN" ]; then
    die "$fb_name has $nb BEGIN and $ne END geo-response marker lines; expected one pair: fix it by hand (the markers are '$MARK_BEGIN' and '$MARK_END')"
  fi
}

# A backup name beside CONF that does not exist yet.
backup_name() {
  stamp=$(date +%Y%m%d-%H%M%S)
  b=$1.geo-response-$stamp.bak
  n=1
  while [ -e "$b" ]; do
    b=$1.geo-response-$stamp.$n.bak
    n=$((n + 1))
  done
  printf '%s' "$b"
}

# Replace CONF by the file NEW, keeping CONF's owner and mode (CONF_META), after a backup of the
# snapshot: both written privately, then renamed into place (a link planted at either name is
# replaced, never written through).
replace_conf() {
  rc_conf=$1 rc_new=$2 rc_backup=$3
  rc_owner=${CONF_META% *} rc_mode=${CONF_META#* }
  make_temp
  cp "$SNAP" "$TEMP"
  set_owner_mode "$TEMP" "$rc_owner" "$rc_mode"
  rename_over "$TEMP" "$rc_backup"
  make_temp
  cat "$rc_new" >"$TEMP"
  set_owner_mode "$TEMP" "$rc_owner" "$rc_mode"
  rename_over "$TEMP" "$rc_conf"
}

# head/tail keep every other byte as it was, so removing the lines later restores the file exactly.
# (sh has no local variables: these names are their own, so a caller's conf, block… stay as they were.)
splice_in() {
  si_file=$1 si_line=$2 si_block=$3 si_out=$4
  {
    head -n $((si_line - 1)) "$si_file"
    cat "$si_block"
    tail -n +"$si_line" "$si_file"
  } >"$si_out"
}

splice_out() {
  so_file=$1 so_first=$2 so_last=$3 so_out=$4
  {
    head -n $((so_first - 1)) "$so_file"
    tail -n +$((so_last + 1)) "$so_file"
  } >"$so_out"
}

# Whether the block in FILE is one an earlier version inserted, unedited.
inserted_by_earlier_version() {
  sum=$(cksum <"$1")
  printf '%s\n' "$PREVIOUS_BLOCKS" | grep -q -x -F -e "$sum"
}

# The admin edited the blocks between the markers: keep them byte for byte, and say what differs
# from this version's. This version needs nothing that earlier versions did not insert, so it adds
# nothing; a line it needs that is missing is named, for the admin to restore.
keep_edited_blocks() {
  kb_conf=$1 kb_current=$2 kb_block=$3 kb_kind=${4:-conf}
  say "keep the geo-response blocks in $kb_conf as you edited them (lines $BLOCK_BEGIN-$BLOCK_END): install.sh never rewrites edited blocks; where they differ from this version's:"
  grep -v -x -F -f "$kb_block" "$kb_current" | sed 's/^[[:space:]]*//; s/^/  yours:          /' || true
  grep -v -x -F -f "$kb_current" "$kb_block" | sed 's/^[[:space:]]*//; s/^/  this version'"'"'s: /' || true
  [ "$kb_kind" = conf ] || return 0
  for needed in '<name>geo-response</name>' '<executable>geo-response</executable>' '<command>geo-response</command>' '<timeout_allowed>yes</timeout_allowed>'; do
    warn_unless_kept "$needed"
  done
  # OSSEC's argv protocol passes the address only to a command that expects it: without, every alert is "-".
  [ "$PROTOCOL" = json ] || warn_unless_kept '<expect>srcip</expect>'
  # Blocks from before the logins response (docs/logins.md) work for attacks; say what they miss.
  grep -q -F -e 'authentication_success</rules_group>' "$kb_current" || warn "your geo-response blocks in $kb_conf have no response for successful logins (<rules_group>authentication_success</rules_group>): no login history, no new-country or impossible-travel findings until you add this version's second <active-response> by hand ($(snippet_file))"
}

warn_unless_kept() {
  grep -q -F -e "$1" "$kb_current" || warn "your geo-response blocks in $kb_conf lack $1, which geo-response needs: add it back by hand (this version's blocks: $(snippet_file))"
}

apply_blocks() {
  if [ "$INSTALL_TYPE" = agent ]; then
    say "skip $HOME_DIR/etc/ossec.conf: this is an agent; the blocks belong in the manager's ossec.conf"
    return 0
  fi
  for kind in $(block_kinds); do apply_block "$kind"; done
}

# Creates FILE holding only the lines of BLOCK (OSSEC ships no local decoder file), owned as the
# product's own decoder and rules files.
create_with_block() {
  copy_atomic "$2" "$1" "root:$GROUP" 640
}

# Inserts, keeps or updates the block of KIND in its file: before the last </ossec_config> in
# ossec.conf, at the end of the local decoder and rules files (lists of top-level elements).
apply_block() {
  kind=$1
  conf=$(block_target "$kind")
  make_scratch
  block=$TEMP
  write_block "$block" "$kind"
  if [ "$kind" != conf ] && [ ! -e "$conf" ] && [ ! -L "$conf" ]; then
    CONF_CHANGED=yes
    act "create $conf with the geo-response $kind (root:$GROUP 640)" create_with_block "$conf" "$block"
    return 0
  fi
  snapshot_conf "$conf"
  make_scratch
  new=$TEMP
  find_block "$SNAP" "$conf"
  if [ -n "$BLOCK_BEGIN" ]; then
    make_scratch
    current=$TEMP
    sed -n "${BLOCK_BEGIN},${BLOCK_END}p" "$SNAP" >"$current"
    if cmp -s "$current" "$block"; then
      say "keep $conf: the geo-response blocks are already there (lines $BLOCK_BEGIN-$BLOCK_END)"
      return 0
    fi
    if ! inserted_by_earlier_version "$current"; then
      keep_edited_blocks "$conf" "$current" "$block" "$kind"
      return 0
    fi
    make_scratch
    splice_out "$SNAP" "$BLOCK_BEGIN" "$BLOCK_END" "$TEMP"
    splice_in "$TEMP" "$BLOCK_BEGIN" "$block" "$new"
    backup=$(backup_name "$conf")
    CONF_CHANGED=yes
    act "update the geo-response blocks in $conf (lines $BLOCK_BEGIN-$BLOCK_END, as an earlier version inserted them; backup $backup)" replace_conf "$conf" "$new" "$backup"
    return 0
  fi
  if [ "$kind" != conf ]; then
    # The end of the file; a last line without its newline gets one first.
    { cat "$SNAP"; if [ -s "$SNAP" ] && [ -n "$(tail -c 1 "$SNAP")" ]; then printf '\n'; fi; cat "$block"; } >"$new"
    backup=$(backup_name "$conf")
    CONF_CHANGED=yes
    act "add the geo-response $kind block at the end of $conf (backup $backup)" replace_conf "$conf" "$new" "$backup"
    return 0
  fi
  if grep -q '<name>[[:space:]]*geo-response[[:space:]]*</name>' "$SNAP"; then
    warn "$conf already defines a geo-response command outside the install.sh markers; not inserting the blocks twice"
    return 0
  fi
  last=$(grep -n '^[[:space:]]*</ossec_config>[[:space:]]*$' "$SNAP" | tail -n 1 | cut -d: -f1)
  [ -n "$last" ] || die "no line holding only </ossec_config> in $conf: add the blocks above inside <ossec_config> by hand"
  splice_in "$SNAP" "$last" "$block" "$new"
  backup=$(backup_name "$conf")
  CONF_CHANGED=yes
  act "insert the geo-response blocks into $conf before line $last (backup $backup)" replace_conf "$conf" "$new" "$backup"
}

# Only the files this product's install writes: on Wazuh etc/local_decoder.xml is not ours, and
# etc/ is group-writable there (a link planted at that name would stop the uninstall halfway).
remove_blocks() {
  for kind in $(block_kinds); do remove_block "$kind"; done
}

remove_block() {
  kind=$1
  conf=$(block_target "$kind")
  if [ "$kind" != conf ] && [ ! -e "$conf" ]; then return 0; fi
  snapshot_conf "$conf"
  find_block "$SNAP" "$conf"
  if [ -z "$BLOCK_BEGIN" ]; then
    say "keep $conf: no geo-response blocks inserted by install.sh"
    if [ "$kind" = conf ] && grep -q '<name>[[:space:]]*geo-response[[:space:]]*</name>' "$SNAP"; then
      warn "$conf defines a geo-response command that install.sh did not insert: remove it by hand"
    fi
    return 0
  fi
  make_scratch
  new=$TEMP
  splice_out "$SNAP" "$BLOCK_BEGIN" "$BLOCK_END" "$new"
  backup=$(backup_name "$conf")
  CONF_CHANGED=yes
  # A decoder file that held only our block would be left empty, which analysisd refuses to read.
  if [ "$kind" = decoder ] && ! grep -q '[^[:space:]]' "$new"; then
    act "remove $conf (it held only the geo-response decoder)" remove_file "$conf"
    return 0
  fi
  act "remove the geo-response blocks from $conf (lines $BLOCK_BEGIN-$BLOCK_END; backup $backup)" replace_conf "$conf" "$new" "$backup"
}

print_blocks() {
  make_scratch
  TEMP_PRINT=$TEMP
  say ""
  if [ "$INSTALL_TYPE" = agent ]; then
    say "The blocks for $PRODUCT ${PRODUCT_VERSION:-(version unknown)}, inside <ossec_config> in the manager's etc/ossec.conf"
    say "(this is an agent: it only needs the executable, for <location>local</location>):"
  else
    say "The blocks for $PRODUCT ${PRODUCT_VERSION:-(version unknown)}, inside <ossec_config> in $HOME_DIR/etc/ossec.conf:"
  fi
  say ""
  write_block "$TEMP_PRINT" conf
  cat "$TEMP_PRINT"
  say ""
  if [ "$INSTALL_TYPE" != agent ]; then
    for kind in $(block_kinds); do
      [ "$kind" != conf ] || continue
      say "and at the end of $(block_target "$kind"):"
      write_block "$TEMP_PRINT" "$kind"
      cat "$TEMP_PRINT"
      say ""
    done
  fi
}

# Only when ossec.conf changed (or would, in a dry run): an agent's, or blocks already in place,
# need no restart.
restart_hint() {
  [ "$CONF_CHANGED" = yes ] || return 0
  if [ "$PRODUCT" = wazuh ]; then
    say "Restart to load the change: $HOME_DIR/bin/$CONTROL restart (or systemctl restart wazuh-manager)"
  else
    say "Restart to load the change: $HOME_DIR/bin/$CONTROL restart"
  fi
}

# ---------------------------------------------------------------- trust

# Whether DIR and every directory above it are owned by root and writable by no one else (a
# root-owned sticky directory such as /tmp passes): the rule the executable trusts its
# configuration, databases and code by (src/trust/trusted-path.ts). Both must agree on it.
root_only_chain() {
  d=$(cd -P -- "$1" 2>/dev/null && pwd -P) || return 1
  while :; do
    owner=$(stat -c %u -- "$d") || return 1
    mode=$(stat -c %a -- "$d") || return 1
    [ "$owner" = 0 ] || return 1
    if [ $((0$mode & 022)) -ne 0 ] && [ $((0$mode & 01000)) -eq 0 ]; then return 1; fi
    [ "$d" = / ] && return 0
    d=$(dirname -- "$d")
  done
}

# Sets CONF_DIR: where geo-response's configuration and database go (src/trust/config-location.ts
# decides the same way at every alert). OSSEC's etc/ is root:ossec 0550; Wazuh's is root:wazuh
# 0770, where the group could swap a file that runs code or decides a block.
choose_conf_dir() {
  if root_only_chain "$HOME_DIR/etc"; then
    CONF_DIR=$HOME_DIR/etc
  else
    CONF_DIR=$HOME_DIR/active-response/etc
  fi
}

make_conf_dir() {
  mkdir -p "$CONF_DIR"
  set_owner_mode "$CONF_DIR" "root:$GROUP" 750
}

# An install from before the move kept its files in etc/. The configuration moves (once, never
# over one already there); one that someone other than root changed since stays, and is named.
move_from_untrusted_etc() {
  old=$HOME_DIR/etc/geo-response.json
  new=$CONF_DIR/geo-response.json
  if [ -e "$old" ] && [ ! -e "$new" ]; then
    # Read once, without following a link, and judged by what was read: the group can swap the
    # name at any moment, but not the file already open.
    make_scratch
    moved=$TEMP
    meta=$(read_no_follow "$old" "$moved") || meta="refused"
    owner=${meta%%:*}
    mode=${meta#* }
    if [ "$meta" != refused ] && [ "$owner" = 0 ] && [ $((0$mode & 022)) -eq 0 ]; then
      act "move $old to $new (root:$GROUP 640): $HOME_DIR/etc is writable by its group, so it is no longer read there; review it" \
        move_config "$moved" "$new" "$old"
    else
      if [ "$meta" = refused ]; then why="it is not a plain file (a link, a FIFO or a second hard link)"; else why="it is owned by uid $owner with mode $mode"; fi
      warn "$old is not moved: $why, so someone other than root changed it; review it and copy it to $new yourself (until then alerts refuse to run with it)"
      STRANDED=yes
    fi
  elif [ -e "$old" ]; then
    warn "$old is not read (its directory is writable by group $GROUP): the configuration in force is $new"
  fi
  old_db=$HOME_DIR/etc/dbip-country-lite.mmdb
  if [ -e "$old_db" ] || [ -L "$old_db" ]; then act "remove $old_db (the database now sits in $CONF_DIR)" remove_file "$old_db"; fi
}

# Install the private copy COPY as NEW, then remove OLD (rm removes a link, never its target).
move_config() {
  copy_atomic "$1" "$2" "root:$GROUP" 640
  rm -f -- "$3"
}

# ---------------------------------------------------------------- boot unit

systemd_running() { [ -d "$SYSTEMD_RUNNING_DIR" ]; }

# The firewall's own service flushes geo-response's blocks when it loads its rules at boot; the
# unit puts them back after it. Without systemd, say what to run instead.
install_unit() {
  exe=$HOME_DIR/active-response/bin/geo-response
  if ! systemd_running; then
    say "systemd is not running here, so no boot unit is installed. To put blocks back after a reboot"
    say "or a firewall reload, run this once the firewall's rules are loaded (an @reboot line in root's"
    say "crontab, /etc/rc.local, or your init system's equivalent) and after each firewall reload:"
    say "  $exe blocks restore"
    return 0
  fi
  case $HOME_DIR in
    *[!A-Za-z0-9_./-]*)
      warn "no boot unit installed: $HOME_DIR holds characters a unit's ExecStart would need quoted; run $exe blocks restore at boot yourself"
      return 0
      ;;
  esac
  unit=$SYSTEMD_UNIT_DIR/$SYSTEMD_UNIT
  make_scratch
  sed "s|@HOME@|$HOME_DIR|g" "$SRC_DIR/active-response/$SYSTEMD_UNIT" >"$TEMP"
  if [ -f "$unit" ] && cmp -s "$TEMP" "$unit"; then
    say "keep $unit (already installed)"
  else
    act "install $unit (root 644: runs $exe blocks restore at boot, after the firewall's own service)" copy_unit "$TEMP" "$unit"
    act "reload systemd's units ($SYSTEMCTL daemon-reload)" "$SYSTEMCTL" daemon-reload
  fi
  act "enable $SYSTEMD_UNIT ($SYSTEMCTL enable)" "$SYSTEMCTL" enable --quiet "$SYSTEMD_UNIT"
}

# The unit directory is root's alone: a temporary name beside the unit, then a rename.
copy_unit() {
  mkdir -p -- "$SYSTEMD_UNIT_DIR"
  cp -- "$1" "$2.geo-response-new"
  chown root:root "$2.geo-response-new"
  chmod 644 "$2.geo-response-new"
  mv -f -- "$2.geo-response-new" "$2"
}

# Only the unit geo-response installed for this installation: another one's (or the admin's own) stays.
remove_unit() {
  unit=$SYSTEMD_UNIT_DIR/$SYSTEMD_UNIT
  [ -f "$unit" ] || return 0
  if ! grep -qxF "$UNIT_MARK" "$unit" || ! grep -qxF "ExecStart=$HOME_DIR/active-response/bin/geo-response blocks restore" "$unit"; then
    warn "keep $unit: it was not installed by geo-response for $HOME_DIR"
    return 0
  fi
  if systemd_running; then act "disable $SYSTEMD_UNIT ($SYSTEMCTL disable)" "$SYSTEMCTL" disable --quiet "$SYSTEMD_UNIT"; fi
  # What "systemctl enable" linked, in case systemd was not running to undo it.
  wants=$SYSTEMD_UNIT_DIR/multi-user.target.wants/$SYSTEMD_UNIT
  if [ -L "$wants" ]; then act "remove $wants" rm -f -- "$wants"; fi
  act "remove $unit" remove_file "$unit"
  if systemd_running; then act "reload systemd's units ($SYSTEMCTL daemon-reload)" "$SYSTEMCTL" daemon-reload; fi
}

# ---------------------------------------------------------------- main

do_install() {
  find_node
  check_bundle
  if [ "$DRY_RUN" = no ] && [ "$(id -u)" -ne 0 ]; then
    die "must run as root (to chown the installed files to root:$GROUP)"
  fi
  say "geo-response: $PRODUCT ${PRODUCT_VERSION:-(version unknown)} ($INSTALL_TYPE) in $HOME_DIR, group $GROUP, Node.js $NODE ($NODE_VERSION)"
  if [ "$BUILD" = yes ]; then
    act "build the bundle in $SRC_DIR (npm ci && npm run build)" build_bundle
  fi

  exe=$HOME_DIR/active-response/bin/geo-response
  new_build=$(build_of "$BUNDLE")
  old_build=
  if [ -f "$exe" ]; then old_build=$(build_of "$exe"); fi
  # Before the executable: the new one needs its parts from its first alert on.
  if [ -f "$PARTS" ]; then
    install_file "$PARTS" "$HOME_DIR/active-response/bin/geo-response.$new_build.parts" "root:$GROUP" 640
  else
    say "would install $HOME_DIR/active-response/bin/geo-response.<build>.parts (root:$GROUP 640)"
  fi
  if [ "$DRY_RUN" = yes ]; then
    say "would install $exe (root:$GROUP 750, first line #!$NODE)"
  else
    write_executable "$HOME_DIR/active-response/bin"
    install_file "$EXECUTABLE_SOURCE" "$exe" "root:$GROUP" 750
  fi
  remove_parts_except "$new_build" "$old_build"
  remove_caches "$new_build"
  choose_conf_dir
  if [ "$CONF_DIR" != "$HOME_DIR/etc" ]; then
    if [ ! -d "$CONF_DIR" ]; then act "create $CONF_DIR (root:$GROUP 750; $HOME_DIR/etc is writable by its group)" make_conf_dir; fi
    move_from_untrusted_etc
  fi
  install_file "$DATABASE" "$CONF_DIR/dbip-country-lite.mmdb" "root:$GROUP" 640

  config=$CONF_DIR/geo-response.json
  if [ -e "$config" ]; then
    say "keep $config (an existing configuration is never overwritten)"
  elif [ "$STRANDED" = yes ]; then
    say "no example configuration installed: $HOME_DIR/etc/geo-response.json awaits your review"
  else
    act "install $config (root:$GROUP 640; the example policy: log only, never block)" \
      copy_atomic "$SRC_DIR/active-response/geo-response.example.json" "$config" "root:$GROUP" 640
  fi

  log=$HOME_DIR/logs/geo-response.log
  if [ -e "$log" ]; then
    say "keep $log"
  else
    act "create $log ($LOG_OWNER_NAMES $LOG_MODE, as logs/active-responses.log)" create_log "$log" "$LOG_OWNER" "$LOG_MODE"
  fi
  # An agent installation has none (OSSEC's installer makes it on servers only); geo-response and
  # the stock responses write their errors there, so it is made as a server's is, not left to the
  # first error to create.
  ar_log=$HOME_DIR/logs/active-responses.log
  if [ ! -e "$ar_log" ] && [ ! -L "$ar_log" ]; then
    act "create $ar_log ($LOG_OWNER_NAMES $LOG_MODE, as a server installation has it)" create_log "$ar_log" "$LOG_OWNER" "$LOG_MODE"
  fi

  if [ "$DRY_RUN" = no ]; then
    # execd's environment: no PATH worth the name, so this proves the #! line.
    if ! version=$(cd / && env -i PATH=/nonexistent "$exe" --version 2>&1); then
      die "the installed $exe does not run: $version"
    fi
    say "check: $exe --version: $version"
    check_configuration "$exe"
    warm_up "$exe"
  else
    say "would run an add and a delete alert through $exe as execd would, its records and firewall kept apart (the warm-up: the first real alert then finds the code caches)"
  fi

  if [ "$APPLY" = yes ]; then
    apply_blocks
    install_unit
    restart_hint
  else
    say "Blocks are put back after a reboot by: $exe blocks restore (--apply installs a systemd unit that runs it at boot)"
    print_blocks
    if [ "$INSTALL_TYPE" != agent ]; then
      say "Insert them with: $0 --prefix $HOME_DIR --apply"
    fi
  fi
  agent_restart_hint "$old_build"
}

# An agent's execd reads etc/shared/ar.conf (sent by the manager) and remembers a command whose
# executable is missing as "not present" until it reads the file again, which in practice means a
# restart. So when ar.conf already names geo-response and the executable is new here, say so.
# etc/shared/ is written by the daemons: read through read_no_follow, never followed.
agent_restart_hint() {
  [ "$INSTALL_TYPE" = agent ] && [ -z "$1" ] || return 0
  make_scratch
  read_no_follow "$HOME_DIR/etc/shared/ar.conf" "$TEMP" >/dev/null 2>&1 || return 0
  grep -q ' - geo-response - ' "$TEMP" || return 0
  say "Restart this agent ($HOME_DIR/bin/$CONTROL restart): its execd knows the manager's geo-response command from etc/shared/ar.conf but found no executable when it read it, and does not look again until it restarts"
}

# The new build may validate more strictly than the old one: say so now, not at the next alert.
# Until the file validates, alerts fail, and a delete removes its block only with the last
# configuration that validated (kept beside the executable, which is why upgrades keep it).
check_configuration() {
  config=$CONF_DIR/geo-response.json
  [ -e "$config" ] || return 0
  report=$(cd / && env -i PATH=/nonexistent "$1" check 2>&1) || true
  case $report in
    *"configuration: FAILED"*)
      warn "$config does not validate with this version:"
      printf '%s\n' "$report" | grep 'configuration: FAILED' >&2
      die "fix $config, then run geo-response check (the files are installed)"
      ;;
  esac
}

# The address the warm-up alerts carry: public (a special range is classified without a database
# lookup, which would leave the lookup's code out of the cache), and in every country database.
WARM_UP_IP=81.2.69.142

# The first alert after an install or upgrade compiles the program and writes the V8 code caches
# and the validated configuration beside the executable (docs/performance.md): +14-17 ms on that
# alert. So the installer runs that alert itself, the way execd will: the installed executable by
# its #! line (the Node execd runs), as root, from /, in an empty environment, with execd's own
# input for this product, an add then its delete. GEO_RESPONSE_WARM_UP, which execd cannot set
# (src/cli/warm-up.ts), sends every line and state it writes to a private directory, removed
# afterwards; the firewall runs only in a network namespace of its own (unshare --net), or as a
# configured dry run, and is left out otherwise. A failed warm-up costs the first alert only.
warm_up() {
  exe=$1
  # Alerts refuse to run until the admin reviews the configuration left behind: nothing to warm.
  [ "$STRANDED" = no ] || return 0
  if ! root_only_chain "$HOME_DIR/active-response/bin"; then
    say "skip the warm-up: $HOME_DIR/active-response/bin is not root's all the way up, so no cache is kept there"
    return 0
  fi
  make_private_dir
  warm_dir=$PRIVATE_DIR/warm-up
  mkdir -m 700 "$warm_dir"
  isolate=
  if command -v unshare >/dev/null 2>&1 && unshare --net true 2>/dev/null; then isolate='unshare --net --'; fi
  if warm_up_alert "$exe" "$warm_dir" "$isolate" add && warm_up_alert "$exe" "$warm_dir" "$isolate" delete; then
    if [ -n "$isolate" ]; then where='in a network namespace of its own'; else where='left out (no unshare --net here) unless the configuration says dry_run'; fi
    say "warm up: ran an add and a delete alert as execd would (their records went to a private directory, now removed; the firewall $where), so the first real alert finds the code caches and the validated configuration in $HOME_DIR/active-response/bin"
  else
    warn "the warm-up alert failed ($(tail -n 1 "$warm_dir/active-responses.log" 2>/dev/null || printf 'no error line')): the first real alert writes the caches instead"
  fi
  rm -rf -- "$warm_dir"
}

# One warm-up alert (ACTION add or delete) in this product's protocol: OSSEC's arguments with
# stdin /dev/null, or Wazuh's JSON line on stdin with execd's "continue" reply after our check_keys.
warm_up_alert() {
  wa_exe=$1 wa_dir=$2 wa_isolate=$3 wa_action=$4
  if [ "$PROTOCOL" = argv ]; then
    (cd / && $wa_isolate env -i PATH=/nonexistent GEO_RESPONSE_WARM_UP="$wa_dir" "$wa_exe" "$wa_action" - "$WARM_UP_IP" 1764201234.1 5710 warm-up - </dev/null >/dev/null 2>&1)
    return
  fi
  v=${PRODUCT_VERSION#v}
  if [ "${v%%.*}" -ge 5 ] 2>/dev/null; then
    # Wazuh 5 (WCS): enable/disable.
    command=enable
    [ "$wa_action" = add ] || command=disable
    message='{"command":"'$command'","wazuh":{"active_response":{"name":"geo-response","executable":"geo-response","type":"stateful","stateful_timeout":600,"location":"local","agent_id":"000"}},"event":{"original":"warm-up","kind":"event"},"source":{"ip":"'$WARM_UP_IP'"}}'
    reply='{"command":"continue"}'
  else
    alert='"alert":{"rule":{"level":5,"description":"install.sh warm-up","id":"5710"},"agent":{"id":"000","name":"warm-up"},"id":"1764201234.1","data":{"srcip":"'$WARM_UP_IP'"},"location":"warm-up"}'
    message='{"version":1,"origin":{"name":"warm-up","module":"wazuh-execd"},"command":"'$wa_action'","parameters":{"extra_args":[],'$alert',"program":"active-response/bin/geo-response"}}'
    reply='{"version":1,"origin":{"name":"warm-up","module":"wazuh-execd"},"command":"continue","parameters":{"extra_args":[],'$alert',"program":"active-response/bin/geo-response"}}'
  fi
  # A delete reads nothing back; the reply waiting unread on the pipe is harmless.
  printf '%s\n%s\n' "$message" "$reply" | (cd / && $wa_isolate env -i PATH=/nonexistent GEO_RESPONSE_WARM_UP="$wa_dir" "$wa_exe" >/dev/null 2>&1)
}

# The executable keeps its V8 code caches and last validated configuration beside itself
# (.geo-response.<build>.node<version>.*). A new build names new ones: on upgrade the old builds'
# code caches only take space, while those of BUILD (the one being installed, when the same build
# is installed again) are still its own; the last validated configuration stays for a delete to
# fall back on. Uninstall (BUILD empty) removes them all.
remove_caches() {
  for f in "$HOME_DIR"/active-response/bin/.geo-response.*.node*; do
    case $f in
      *.config.json) [ "$UNINSTALL" = yes ] || continue ;;
    esac
    if [ -n "$1" ]; then
      case $f in */.geo-response."$1".*) continue ;; esac
    fi
    if [ -e "$f" ]; then act "remove $f" remove_file "$f"; fi
  done
}

# Parts files of builds other than these. The install keeps the one of the executable it just
# replaced, until the next upgrade: an alert that started that executable a moment ago may still
# load its parts.
remove_parts_except() {
  for f in "$HOME_DIR"/active-response/bin/geo-response.*.parts; do
    case $f in
      */geo-response."$1".parts | */geo-response."$2".parts) continue ;;
    esac
    if [ -e "$f" ]; then act "remove $f" remove_file "$f"; fi
  done
}

do_uninstall() {
  if [ "$DRY_RUN" = no ] && [ "$(id -u)" -ne 0 ]; then
    die "must run as root"
  fi
  choose_conf_dir
  for f in "$HOME_DIR/active-response/bin/geo-response" "$CONF_DIR/dbip-country-lite.mmdb" "$HOME_DIR/etc/dbip-country-lite.mmdb"; do
    if [ -e "$f" ]; then act "remove $f" remove_file "$f"; fi
  done
  remove_parts_except '' ''
  remove_caches ''
  remove_blocks
  remove_unit
  if [ "$PURGE" = yes ]; then
    for f in "$CONF_DIR/geo-response.json" "$HOME_DIR"/logs/geo-response.log* "$HOME_DIR"/active-response/state/logins.json*; do
      if [ -e "$f" ]; then act "remove $f" remove_file "$f"; fi
    done
    state=$HOME_DIR/active-response/state
    if [ -d "$state" ]; then act "remove $state (the blocks recorded for restore, the login history)" rm -rf -- "$state"; fi
    if [ "$CONF_DIR" != "$HOME_DIR/etc" ]; then
      # What an install from before the move left in etc/.
      if [ -e "$HOME_DIR/etc/geo-response.json" ]; then act "remove $HOME_DIR/etc/geo-response.json" remove_file "$HOME_DIR/etc/geo-response.json"; fi
      if [ -d "$CONF_DIR" ]; then act "remove $CONF_DIR (if empty)" rmdir_if_empty "$CONF_DIR"; fi
    fi
  else
    say "keep $CONF_DIR/geo-response.json, $HOME_DIR/logs/geo-response.log and $HOME_DIR/active-response/state/ (the block state and the login history; remove them with --purge)"
  fi
  restart_hint
}

detect_installation
if [ "$UNINSTALL" = yes ]; then
  do_uninstall
else
  detect_owners
  do_install
fi
