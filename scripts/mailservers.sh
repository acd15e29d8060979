#!/usr/bin/env bash
# Test mail servers for loket: Dovecot (IMAP + LMTP + SASL) and Postfix (submission with
# STARTTLS, delivery to Dovecot over LMTP), on loopback, on unprivileged ports, with ALL
# config, state, queue and mail in one short temp dir. Installs the Debian packages when
# they are missing (needs root, as on the project's machines).
#
# Usage:
#   eval "$(bash scripts/mailservers.sh start)"   # prints `export LOKET_TEST_MAIL=/tmp/lkXXXX`
#   bash scripts/mailservers.sh stop              # stops what $LOKET_TEST_MAIL runs, by pid
#   bash scripts/mailservers.sh env               # the generated env file (ports, CA, users)
#   bash scripts/mailservers.sh stop-dovecot|start-dovecot|stop-postfix|start-postfix
#
# The env file ($LOKET_TEST_MAIL/env) holds:
#   LOKET_TEST_IMAP_PORT (STARTTLS), LOKET_TEST_IMAPS_PORT (implicit TLS),
#   LOKET_TEST_SMTP_PORT (submission, STARTTLS), LOKET_TEST_SMTPS_PORT (implicit TLS),
#   LOKET_TEST_CA (the throwaway CA that signed the servers' certificate, PEM), LOKET_TEST_PASSWORD (every user's),
#   LOKET_TEST_USERS (space-separated addresses), LOKET_TEST_MAILDIRS (mail/<address>/).
#
# Pitfalls met (see issue 5): Dovecot keeps the caller's stdio open after it daemonizes
# (redirect all three); Postfix ignores a main.cf whose mtime is not in the past (backdate);
# the dir must be 0755 for Postfix; no syslog here (maillog_file + postlog service, Dovecot
# log_path); Debian's master.cf chroots (write our own, chroot n); Dovecot's mail uid must be
# >= first_valid_uid; unix socket paths must stay short.
set -euo pipefail

USERS="loket-ott@minjenv.nl s.visser@minjenv.nl a.devries@minjenv.nl b.jansen@minjenv.nl
c.bakker@minbzk.nl d.smit@minfin.nl p.devries@minbzk.nl"
DOMAINS="minjenv.nl minbzk.nl minfin.nl"
PASSWORD="loket-test-pw"
MAIL_UID=65534 # nobody
MAIL_GID=65534 # nogroup

log() { echo "mailservers: $*" >&2; }

install_packages() {
  if command -v dovecot >/dev/null && [ -x /usr/lib/dovecot/lmtp ] \
    && [ -x /usr/lib/dovecot/imap ] && [ -x /usr/lib/postfix/sbin/master ]; then
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    log "dovecot-imapd, dovecot-lmtpd and postfix are missing and this is not root; install them: apt-get install dovecot-imapd dovecot-lmtpd postfix"
    exit 1
  fi
  log "installing dovecot-imapd dovecot-lmtpd postfix (Debian packages)"
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends dovecot-imapd dovecot-lmtpd postfix >&2
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if port_free "$p" && ! grep -qx "$p" "$DIR/.ports" 2>/dev/null; then
      echo "$p" >>"$DIR/.ports"
      echo "$p"
      return
    fi
  done
  log "no free port found"
  exit 1
}

need_dir() {
  DIR="${LOKET_TEST_MAIL:-}"
  if [ -z "$DIR" ] || [ ! -f "$DIR/env" ]; then
    log "LOKET_TEST_MAIL is not set to a directory made by '$0 start'"
    exit 1
  fi
  # shellcheck disable=SC1091
  . "$DIR/env"
}

write_config() {
  mkdir -p "$DIR"/{dc,dr,ds,mail,pf,pq,pd}
  chmod 0755 "$DIR" "$DIR"/{dc,pf,pq}
  chown postfix "$DIR/pd"
  : >"$DIR/.ports"
  local imap imaps smtp smtps
  imap=$(pick_port)
  imaps=$(pick_port)
  smtp=$(pick_port)
  smtps=$(pick_port)

  # A throwaway CA (self-signed) and the servers' certificate for 127.0.0.1 / localhost,
  # signed by it. (rustls/webpki refuse a CA certificate used as the server's own, which is
  # what a bare `openssl req -x509` makes: CaUsedAsEndEntity.)
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=loket test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
    -keyout "$DIR/ca.key" -out "$DIR/ca.pem" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$DIR/key.pem" -out "$DIR/cert.csr" >/dev/null 2>&1
  printf 'basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$DIR/cert.ext"
  openssl x509 -req -in "$DIR/cert.csr" -CA "$DIR/ca.pem" -CAkey "$DIR/ca.key" \
    -CAcreateserial -days 30 -extfile "$DIR/cert.ext" -out "$DIR/cert.pem" >/dev/null 2>&1
  chmod 0644 "$DIR/cert.pem" "$DIR/ca.pem"
  chmod 0600 "$DIR/key.pem" "$DIR/ca.key"

  : >"$DIR/users"
  : >"$DIR/pf/vmailbox"
  for u in $USERS; do
    echo "$u:{PLAIN}$PASSWORD:$MAIL_UID:$MAIL_GID::$DIR/mail/$u::" >>"$DIR/users"
    echo "$u OK" >>"$DIR/pf/vmailbox"
    mkdir -p "$DIR/mail/$u"
  done
  chown -R "$MAIL_UID:$MAIL_GID" "$DIR/mail"
  chmod 0644 "$DIR/users" "$DIR/pf/vmailbox"

  cat >"$DIR/dc/dovecot.conf" <<EOF
protocols = imap lmtp
listen = 127.0.0.1
base_dir = $DIR/dr
state_dir = $DIR/ds
log_path = $DIR/dovecot.log
info_log_path = $DIR/dovecot.log
ssl = yes
ssl_cert = <$DIR/cert.pem
ssl_key = <$DIR/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
auth_failure_delay = 0
auth_verbose = yes
first_valid_uid = $MAIL_UID
first_valid_gid = $MAIL_GID
mail_location = maildir:$DIR/mail/%u
default_login_user = dovenull
default_internal_user = dovecot
recipient_delimiter = +
namespace inbox {
  inbox = yes
  separator = /
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN $DIR/users
}
userdb {
  driver = passwd-file
  args = $DIR/users
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps
    ssl = yes
  }
}
service lmtp {
  unix_listener $DIR/lmtp {
    mode = 0666
  }
}
service auth {
  unix_listener $DIR/auth {
    mode = 0666
  }
}
protocol lmtp {
  postmaster_address = postmaster@minjenv.nl
}
EOF

  cat >"$DIR/pf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $DIR/pq
data_directory = $DIR/pd
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.loket.test
mydomain = loket.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
maillog_file = $DIR/postfix.log
maillog_file_prefixes = $DIR
alias_maps =
alias_database =
local_recipient_maps =
biff = no
append_dot_mydomain = no
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
virtual_mailbox_domains = $DOMAINS
virtual_mailbox_maps = texthash:$DIR/pf/vmailbox
virtual_transport = lmtp:unix:$DIR/lmtp
recipient_delimiter = +
smtpd_tls_cert_file = $DIR/cert.pem
smtpd_tls_key_file = $DIR/key.pem
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $DIR/auth
smtpd_sasl_auth_enable = yes
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
smtputf8_enable = yes
message_size_limit = 60000000
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 10s
delay_warning_time = 0
EOF

  cat >"$DIR/pf/master.cf" <<EOF
127.0.0.1:$smtp inet n - n - - smtpd
127.0.0.1:$smtps inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
  # Postfix does not trust a main.cf modified "now": backdate everything it reads.
  touch -d '-2 min' "$DIR/pf/main.cf" "$DIR/pf/master.cf" "$DIR/pf/vmailbox"

  cat >"$DIR/env" <<EOF
LOKET_TEST_MAIL=$DIR
LOKET_TEST_IMAP_PORT=$imap
LOKET_TEST_IMAPS_PORT=$imaps
LOKET_TEST_SMTP_PORT=$smtp
LOKET_TEST_SMTPS_PORT=$smtps
LOKET_TEST_CA=$DIR/ca.pem
LOKET_TEST_PASSWORD=$PASSWORD
LOKET_TEST_USERS="$(echo $USERS)"
LOKET_TEST_MAILDIRS=$DIR/mail
EOF
}

wait_port() {
  local port=$1 what=$2
  for _ in $(seq 1 100); do
    if ! port_free "$port"; then return 0; fi
    sleep 0.05
  done
  log "$what did not start listening on 127.0.0.1:$port; see $DIR/*.log"
  tail -n 20 "$DIR"/*.log >&2 2>/dev/null || true
  exit 1
}

start_dovecot() {
  # Dovecot keeps inherited stdio open after daemonizing: never hand it ours.
  dovecot -c "$DIR/dc/dovecot.conf" </dev/null >>"$DIR/dovecot.start.log" 2>&1 || {
    log "dovecot failed to start:"
    cat "$DIR/dovecot.start.log" "$DIR/dovecot.log" >&2 2>/dev/null || true
    exit 1
  }
  wait_port "$LOKET_TEST_IMAP_PORT" dovecot
  wait_port "$LOKET_TEST_IMAPS_PORT" dovecot
}

start_postfix() {
  postfix -c "$DIR/pf" start </dev/null >>"$DIR/postfix.start.log" 2>&1 || {
    log "postfix failed to start:"
    cat "$DIR/postfix.start.log" "$DIR/postfix.log" >&2 2>/dev/null || true
    exit 1
  }
  wait_port "$LOKET_TEST_SMTP_PORT" postfix
  wait_port "$LOKET_TEST_SMTPS_PORT" postfix
}

# Waits until these pids are gone (at most ~10 s), then SIGKILLs what is left.
wait_gone() {
  local what=$1 p alive
  shift
  for _ in $(seq 1 200); do
    alive=""
    for p in "$@"; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
    [ -z "$alive" ] && return 0
    sleep 0.05
  done
  log "$what:$alive did not stop; killing"
  for p in $alive; do kill -KILL "$p" 2>/dev/null || true; done
}

# SIGTERMs the master whose pid is in this file, waits until it is gone, then does the same
# for the children it had (a Dovecot imap process serving an IDLE outlives its master
# otherwise, and keeps its log/auth/anvil processes alive with it).
stop_pidfile() {
  local file=$1 what=$2 pid children
  [ -f "$file" ] || return 0
  pid=$(tr -dc '0-9' <"$file")
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    children=$(ps -o pid= --ppid "$pid" 2>/dev/null | tr -s ' \n' ' ' || true)
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$what master" "$pid"
    # shellcheck disable=SC2086
    [ -n "${children// /}" ] && kill -TERM $children 2>/dev/null || true
    # shellcheck disable=SC2086
    [ -n "${children// /}" ] && wait_gone "$what" $children
  fi
  rm -f "$file"
}

stop_dovecot() { stop_pidfile "$DIR/dr/master.pid" dovecot; }
stop_postfix() { stop_pidfile "$DIR/pq/pid/master.pid" postfix; }

cmd=${1:-}
case "$cmd" in
start)
  install_packages
  if [ -n "${LOKET_TEST_MAIL:-}" ] && [ -f "${LOKET_TEST_MAIL}/env" ]; then
    log "already set up in $LOKET_TEST_MAIL"
    need_dir
  else
    # Short path: unix socket paths over ~100 characters fail.
    DIR=$(mktemp -d /tmp/lkXXXX)
    write_config
    # shellcheck disable=SC1091
    . "$DIR/env"
  fi
  start_dovecot
  start_postfix
  log "dovecot imap :$LOKET_TEST_IMAP_PORT imaps :$LOKET_TEST_IMAPS_PORT, postfix submission :$LOKET_TEST_SMTP_PORT smtps :$LOKET_TEST_SMTPS_PORT, in $DIR"
  echo "export LOKET_TEST_MAIL=$DIR"
  ;;
stop)
  need_dir
  stop_postfix
  stop_dovecot
  if [ "${2:-}" = "--clean" ]; then
    case "$DIR" in /tmp/lk*) rm -rf "$DIR" ;; esac
  fi
  ;;
env)
  need_dir
  cat "$DIR/env"
  ;;
stop-dovecot) need_dir; stop_dovecot ;;
start-dovecot) need_dir; start_dovecot ;;
stop-postfix) need_dir; stop_postfix ;;
start-postfix) need_dir; start_postfix ;;
*)
  echo "usage: $0 start|stop [--clean]|env|stop-dovecot|start-dovecot|stop-postfix|start-postfix" >&2
  exit 2
  ;;
esac
