// Command codeservice runs the reference central code service and its
// admin commands (docs/api.md). Every subcommand works on the database
// --db names: a SQLite file, or a PostgreSQL URL (postgres://…) that
// several serve instances share (docs/deploy.md). Its private keys and
// secrets are wrapped with a key-encryption key kept outside it:
// --key-file (for SQLite by default <db>.key next to the database,
// created with mode 0600 on first start) or the CODESERVICE_KEK
// environment variable (base64), which a PostgreSQL deployment takes
// from its platform's secret store:
//
//	codeservice serve [--addr 127.0.0.1:8443] [--tls-cert cert.pem --tls-key key.pem | --insecure-no-tls]
//	                  [--db codes.db] [--key-file codes.db.key] [--dev] [--rules rules.json] [--access-retention 4320h]
//	  (a non-loopback --addr needs TLS, or --insecure-no-tls behind a TLS proxy)
//	codeservice admin --db codes.db enrol --id <ID number> --name 姓名 [--phone 13812345678]
//	codeservice admin --db codes.db event --id <ID number> --kind arrival_key_area [--at RFC3339]
//	  (event refuses a number that was never enrolled)
//	codeservice admin --db codes.db device provision [--note text] [--tls-cert cert.pem] | revoke --id D... | list
//	  (provision prints the code and the service fingerprint the kiosk checks the service against)
//	codeservice admin --db codes.db worker add --id w1 --name 王社工 (password on stdin)
//	codeservice admin --db codes.db correction list | resolve --id 3 (--accept [--kind k] | --reject) --note text
//	codeservice admin --db codes.db rotate-key
//	codeservice admin --db codes.db revoke-key --id <key ID>
//	codeservice admin --db codes.db purge-access [--retention 4320h]   (serve does it every hour)
//	codeservice admin --db codes.db export-key     (the key of the health cloud's pseudonyms, for its operator)
//	codeservice verify [--db codes.db | --url http://host:port --root-key <b64>] <token text>
//	  (with --db the live state is checked too: revoked and superseded codes are refused)
//	codeservice bench-status --code <provisioning code> [--url http://127.0.0.1:8443] [--duration 10s] [--concurrency 64] [--mode both|ed25519|session]
//	codeservice --version
package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/shcommunity/kiosk/codesvc/api"
	"github.com/shcommunity/kiosk/codesvc/client"
	"github.com/shcommunity/kiosk/codesvc/devseed"
	"github.com/shcommunity/kiosk/codesvc/healthcloud"
	"github.com/shcommunity/kiosk/codesvc/rules"
	"github.com/shcommunity/kiosk/codesvc/server"
	"github.com/shcommunity/kiosk/codesvc/store"
	"github.com/shcommunity/kiosk/codesvc/store/kek"
	"github.com/shcommunity/kiosk/codesvc/store/pgstore"
	"github.com/shcommunity/kiosk/codesvc/store/sqlitestore"
	"github.com/shcommunity/kiosk/codesvc/token"
	"github.com/shcommunity/kiosk/codesvc/verify"
	"github.com/shcommunity/kiosk/internal/logfile"
	"github.com/shcommunity/kiosk/internal/version"
	"github.com/shcommunity/kiosk/pii"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		printError(os.Stderr, err)
		os.Exit(1)
	}
}

// printError prints the error a command ended with, scrubbed like the log
// (internal/logfile): a refused ID number in an admin command's error
// must not reach the terminal, or a journal behind it, in full.
func printError(w io.Writer, err error) {
	fmt.Fprintln(logfile.ScrubWriter(w), "codeservice:", err)
}

// usage lists the commands: codeservice --help prints it, and a command
// line without a known command ends with it.
const usage = `usage: codeservice COMMAND [flags]   (codeservice COMMAND -h for flags)

  serve          run the code service: HTTPS, or plain HTTP on loopback
  admin          the administrator's commands on the database (codeservice admin --help)
  verify         check a paper code's token, offline or against the service
  desk           a hospital registration desk's check of a medical-visit credential (codeservice desk --help)
  bench-status   measure a running service's status answers
  --version      print the version`

// adminUsage lists the admin commands: codeservice admin --help prints it.
const adminUsage = `usage: codeservice admin --db DB [--key-file FILE] COMMAND [flags]

  enrol        enrol a named resident: --id <ID number> --name 姓名 [--phone 13812345678]
  event        record a health event for an enrolled resident: --id <ID number> --kind K [--at RFC3339]
  device       provision --role R [--note text] [--tls-cert cert.pem] | revoke --id D | list
  worker       add --id w1 --name 王社工 (the password on stdin)
  correction   list | resolve --id 3 (--accept [--kind k] | --reject) --note text
  rotate-key   sign new codes with a new key
  revoke-key   --id <key ID>: take a leaked signing key out of the trust list
  purge-access [--retention 4320h]: delete access records past the retention (serve does it every hour)
  export-key   print the key of the health cloud's pseudonyms, for its operator

flags:`

func run(ctx context.Context, args []string, stdin io.Reader, out io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprintln(out, usage)
		return nil
	case "--version", "-version", "version":
		fmt.Fprintln(out, "codeservice", version.Version)
		return nil
	case "serve":
		return serve(ctx, args[1:], out)
	case "admin":
		return admin(ctx, args[1:], stdin, out)
	case "verify":
		return verifyCmd(ctx, args[1:], out)
	case "bench-status":
		return benchStatus(ctx, args[1:], out)
	case "desk":
		return deskCmd(ctx, args[1:], out)
	}
	return errors.New(usage)
}

// keyFileUsage documents --key-file wherever a subcommand opens the database.
const keyFileUsage = "file holding the database's key-encryption key (default for SQLite: <db>.key, created with mode 0600 if missing); the " +
	kek.Env + " environment variable (base64) may give the key instead"

// dbUsage documents --db wherever a subcommand opens the database.
const dbUsage = "SQLite database file, or a PostgreSQL URL (postgres://user@host/db?sslmode=verify-full) shared by several instances"

// redact hides the password of a PostgreSQL URL.
func redact(db string) string {
	if u, err := url.Parse(db); err == nil && isPostgres(db) {
		return u.Redacted()
	}
	return db
}

// isPostgres tells a PostgreSQL URL from a SQLite file name.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// openStore opens the database with its key-encryption key: from kek.Env
// if set, else from keyFile (for SQLite by default next to the database;
// a PostgreSQL database has no such place, so it needs one of the two).
func openStore(ctx context.Context, db, keyFile string) (store.Store, error) {
	var key []byte
	if env := os.Getenv(kek.Env); env != "" {
		if keyFile != "" {
			return nil, fmt.Errorf("give --key-file or %s, not both", kek.Env)
		}
		var err error
		if key, err = kek.Parse(env); err != nil {
			return nil, fmt.Errorf("%s: %w", kek.Env, err)
		}
	}
	if isPostgres(db) {
		if key == nil {
			if keyFile == "" {
				return nil, fmt.Errorf("a PostgreSQL database needs its key-encryption key from %s or --key-file", kek.Env)
			}
			var err error
			if key, _, err = kek.LoadFile(keyFile); err != nil {
				return nil, err
			}
		}
		return pgstore.Open(ctx, db, key, pgstore.Options{})
	}
	if key != nil {
		return sqlitestore.OpenKEK(ctx, db, key)
	}
	if keyFile == "" {
		keyFile = kek.DefaultFile(db)
	}
	return sqlitestore.OpenKeyFile(ctx, db, keyFile)
}

// openService opens the store and the service on it; tune, if given,
// sets options of serve's flags.
func openService(ctx context.Context, db, keyFile, rulesFile string, logger *slog.Logger, tune ...func(*server.Options)) (*server.Service, func(), error) {
	st, err := openStore(ctx, db, keyFile)
	if err != nil {
		return nil, nil, err
	}
	opt := server.Options{Logger: logger}
	for _, f := range tune {
		f(&opt)
	}
	if rulesFile != "" {
		b, err := os.ReadFile(rulesFile)
		if err != nil {
			st.Close()
			return nil, nil, err
		}
		if err := json.Unmarshal(b, &opt.Rules); err != nil {
			st.Close()
			return nil, nil, fmt.Errorf("rules %s: %w", rulesFile, err)
		}
	}
	svc, err := server.New(ctx, st, opt)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return svc, func() { st.Close() }, nil
}

func serve(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8443", "listen address")
	db := fs.String("db", "", dbUsage+" (with --dev: a temporary SQLite file if empty)")
	keyFile := fs.String("key-file", "", keyFileUsage)
	dev := fs.Bool("dev", false, "development mode: seed the sample deck, a demo worker and a provisioning code")
	rulesFile := fs.String("rules", "", "rules JSON (default: rules.Default)")
	opsAddr := fs.String("ops-addr", "", "listen address of /metrics, /healthz and /readyz for the operators' network (default: none; /healthz and /readyz are on --addr too)")
	logFormat := fs.String("log-format", "text", "text or json (one JSON object a line, for a log collector); no personal data either way")
	tlsCert := fs.String("tls-cert", "", "PEM certificate (chain) to serve --addr with TLS; with --tls-key")
	tlsKey := fs.String("tls-key", "", "PEM private key of --tls-cert (mode 0600, or 0640 with the service's group)")
	insecure := fs.Bool("insecure-no-tls", false, "serve plain HTTP on a non-loopback --addr: only behind a TLS proxy on a network nobody else can reach (docs/security.md)")
	workerCap := fs.Int("worker-daily-cap", server.DefaultCaps.WorkerPerDay, "enrolments one worker may have accepted in any 24 hours; 0: no cap")
	workerTTL := fs.Duration("worker-session-ttl", server.DefaultWorkerSessionTTL, "how long a worker session serves calls before the worker logs in again")
	noLookupLimits := fs.Bool("no-lookup-limits", false, "turn off the per-device look-up limits: load tests on loopback only")
	retention := fs.Duration("access-retention", server.DefaultAccessRetention, "how long access records are kept; older ones are purged every hour")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *retention < 24*time.Hour {
		return fmt.Errorf("serve: --access-retention %v is under a day: a resident could not see who looked her up", *retention)
	}
	if *noLookupLimits && !loopback(*addr) {
		return fmt.Errorf("serve: --no-lookup-limits is for load tests on loopback, not %q", *addr)
	}
	if *workerCap < 0 || *workerTTL <= 0 {
		return errors.New("serve: --worker-daily-cap must be 0 or more and --worker-session-ttl positive")
	}
	tune := func(o *server.Options) {
		o.Caps, o.WorkerSessionTTL = server.DefaultCaps, *workerTTL
		o.Caps.WorkerPerDay = *workerCap
		if *noLookupLimits {
			o.LookupLimits = map[api.Role]server.Limit{}
		}
		o.AccessRetention = *retention
		if *dev {
			o.HealthCloud = &healthcloud.Sample{} // the stand-in, seeded below
		}
	}
	if *dev && !loopback(*addr) {
		return fmt.Errorf("serve: --dev listens on loopback only (127.0.0.1, ::1 or localhost), not %q: its demo worker's password is public", *addr)
	}
	tlsCfg, spki, err := serveTLS(*addr, *tlsCert, *tlsKey, *insecure)
	if err != nil {
		return err
	}
	if *db, err = serveDB(*db, *dev); err != nil {
		return err
	}
	_, statErr := os.Stat(*db)
	fresh := errors.Is(statErr, os.ErrNotExist)
	logger, err := newLogger(os.Stderr, *logFormat)
	if err != nil {
		return err
	}
	svc, closeDB, err := openService(ctx, *db, *keyFile, *rulesFile, logger, tune)
	if err != nil {
		return err
	}
	defer closeDB()
	if *dev {
		if err := devseed.Claim(ctx, svc, fresh); err != nil {
			return fmt.Errorf("serve --dev --db %s: %w", *db, err)
		}
		if err := seedDev(ctx, svc, spki, out); err != nil {
			return fmt.Errorf("seed dev data: %w", err)
		}
	}
	fmt.Fprintf(out, "database: %s\n", redact(*db))
	go purgeAccess(ctx, svc, logger, time.Hour)
	h := server.NewHandler(svc)
	front := server.NewHTTPServer(*addr, h)
	front.TLSConfig = tlsCfg
	servers := []*http.Server{front}
	if *opsAddr != "" {
		servers = append(servers, opsServer(*opsAddr, h))
	}
	return listen(ctx, servers, out)
}

// serveDB is the database serve opens: db, or with --dev and no --db a
// new SQLite file in a temporary directory.
func serveDB(db string, dev bool) (string, error) {
	if db != "" {
		return db, nil
	}
	if !dev {
		return "", errors.New("serve: --db is required (or use --dev)")
	}
	dir, err := os.MkdirTemp("", "codeservice-dev-")
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "codes.db"), nil
}

// serveTLS checks serve's TLS flags against its address and loads the
// certificate: a non-loopback address needs TLS unless a TLS proxy is
// said to be in front. It returns the configuration (nil for plain
// HTTP) and the key's SPKI, which provisioning codes pin.
func serveTLS(addr, cert, key string, insecure bool) (*tls.Config, []byte, error) {
	if (cert == "") != (key == "") {
		return nil, nil, errors.New("serve: give --tls-cert and --tls-key together")
	}
	if cert == "" {
		if !loopback(addr) && !insecure {
			return nil, nil, fmt.Errorf("serve: --addr %s is not loopback: serve it with --tls-cert and --tls-key (or, behind a TLS proxy, --insecure-no-tls); ID numbers must not cross a network in the clear", addr)
		}
		return nil, nil, nil
	}
	cfg, spki, err := loadTLS(cert, key)
	if err != nil {
		return nil, nil, fmt.Errorf("serve: %w", err)
	}
	return cfg, spki, nil
}

// opsServer serves the operators' endpoints on addr: the metrics and the
// health and readiness checks h answers on the main address too.
func opsServer(addr string, h *server.Handler) *http.Server {
	ops := http.NewServeMux()
	ops.Handle("GET /metrics", h.Metrics())
	ops.Handle("GET /healthz", h)
	ops.Handle("GET /readyz", h)
	return server.NewHTTPServer(addr, ops)
}

// newLogger is the service's logger in the given format on w (stderr:
// the journal, under systemd), scrubbed of personal data like the
// kiosk's (internal/logfile).
func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(logfile.NewTextHandler(w, slog.LevelInfo)), nil
	case "json":
		return slog.New(logfile.NewHandler(w, slog.LevelInfo)), nil
	}
	return nil, fmt.Errorf("serve: --log-format is text or json, not %q", format)
}

// listen serves every server until ctx ends or one fails, then shuts
// them all down, letting requests under way finish for up to 5 s.
func listen(ctx context.Context, servers []*http.Server, out io.Writer) error {
	errc := make(chan error, len(servers))
	for _, srv := range servers {
		ln, err := net.Listen("tcp", srv.Addr)
		if err != nil {
			return err
		}
		if srv.TLSConfig != nil {
			fmt.Fprintf(out, "listening on https://%s\n", ln.Addr())
			go func() { errc <- srv.ServeTLS(ln, "", "") }()
			continue
		}
		fmt.Fprintf(out, "listening on http://%s\n", ln.Addr())
		go func() { errc <- srv.Serve(ln) }()
	}
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range servers {
		err = errors.Join(err, srv.Shutdown(shutdown))
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// loopback reports whether addr (host:port) names a loopback host only:
// an empty host listens on every interface.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// purgeAccess purges the access records past the retention now and then
// every interval until ctx ends; a failure is logged and tried again at
// the next round.
func purgeAccess(ctx context.Context, svc *server.Service, log *slog.Logger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := svc.PurgeAccess(ctx); err != nil {
			log.Warn("Access records not purged", "err", err)
		} else if n > 0 {
			log.Info("Access records purged", "count", n, "retention", svc.AccessRetention())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// seedDev seeds the sample deck and the demo worker (codesvc/devseed),
// prints them with masked names and numbers, and makes a provisioning
// code for a kiosk.
func seedDev(ctx context.Context, svc *server.Service, spki []byte, out io.Writer) error {
	residents, err := devseed.Seed(ctx, svc)
	if err != nil {
		return err
	}
	if err := devseed.Health(svc); err != nil {
		return err
	}
	for _, r := range residents {
		fmt.Fprintf(out, "resident %-16s %s %s %-6s (%s)\n", r.Label, r.ID.Masked(), r.Name.Masked(), r.Status.Colour, r.Note)
	}
	fmt.Fprintf(out, "worker %s / password %s\n", devseed.WorkerID, devseed.Password)
	for _, role := range []api.Role{api.RoleSelfService, api.RoleCounter, api.RoleVenue} {
		code, exp, err := svc.ProvisionDevice(ctx, "dev", role)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "provisioning code: %s (role %s, until %s)\n", code, role, exp.Format(time.RFC3339))
	}
	fmt.Fprintf(out, "service fingerprint: %s\n", svc.Fingerprint(spki))
	return nil
}

func admin(ctx context.Context, args []string, stdin io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("admin", flag.ContinueOnError)
	db := fs.String("db", "", dbUsage)
	keyFile := fs.String("key-file", "", keyFileUsage)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintln(out, adminUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) > 0 && rest[0] == "help" {
		fs.Usage()
		return nil
	}
	if *db == "" || len(rest) == 0 {
		return errors.New("admin: usage: codeservice admin --db FILE enrol|event|device|worker|correction|rotate-key|revoke-key|purge-access|export-key ... (codeservice admin --help)")
	}
	svc, closeDB, err := openService(ctx, *db, *keyFile, "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer closeDB()
	switch rest[0] {
	case "enrol":
		return adminEnrol(ctx, svc, rest[1:], out)
	case "event":
		return adminEvent(ctx, svc, rest[1:], out)
	case "device":
		return adminDevice(ctx, svc, rest[1:], out)
	case "worker":
		return adminWorker(ctx, svc, rest[1:], stdin, out)
	case "correction":
		return adminCorrection(ctx, svc, rest[1:], out)
	case "rotate-key":
		id, err := svc.RotateKey(ctx)
		if err == nil {
			fmt.Fprintln(out, "new signing key:", id)
		}
		return err
	case "revoke-key":
		return adminRevokeKey(ctx, svc, rest[1:], out)
	case "purge-access":
		return adminPurgeAccess(ctx, svc, rest[1:], out)
	case "export-key":
		fmt.Fprintln(out, base64.RawURLEncoding.EncodeToString(svc.ExportKey()))
		return nil
	}
	return fmt.Errorf("admin: unknown command %q", rest[0])
}

// adminPurgeAccess purges the access records older than --retention,
// which must be the one the service runs with.
func adminPurgeAccess(ctx context.Context, svc *server.Service, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("purge-access", flag.ContinueOnError)
	retention := fs.Duration("retention", server.DefaultAccessRetention, "the retention serve runs with (--access-retention)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *retention < 24*time.Hour {
		return fmt.Errorf("purge-access: --retention %v is under a day", *retention)
	}
	n, err := svc.Store.PurgeAccess(ctx, svc.Now().Add(-*retention))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "access records older than %v purged: %d\n", *retention, n)
	return nil
}

// adminRevokeKey takes a leaked signing key out of the trust list at once
// (Service.RevokeKey).
func adminRevokeKey(ctx context.Context, svc *server.Service, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("revoke-key", flag.ContinueOnError)
	id := fs.String("id", "", "the key ID (8 hex digits, as the trust list and verify show it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *id == "" {
		return errors.New("revoke-key: --id is required")
	}
	version, err := svc.RevokeKey(ctx, *id)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "revoked signing key %s; trust list version %d: every paper it signed must be re-issued\n", *id, version)
	return nil
}

func adminEvent(ctx context.Context, svc *server.Service, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("event", flag.ContinueOnError)
	idText := fs.String("id", "", "resident ID number")
	kind := fs.String("kind", "", "event kind: "+kindList())
	at := fs.String("at", "", "when it happened, RFC 3339 (default now)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	id, err := pii.ParseIDNumber(*idText, svc.Now())
	if err != nil {
		return err
	}
	// An event for a number the service has never seen would create a
	// nameless resident that then answers known: true (docs/api.md).
	if _, _, err := svc.Store.ResidentByKey(ctx, svc.ResidentKey(id)); errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("event: %w: %s (codeservice admin enrol first)", errNotEnrolled, id.Masked())
	} else if err != nil {
		return err
	}
	var t time.Time
	if *at != "" {
		if t, err = time.Parse(time.RFC3339, *at); err != nil {
			return fmt.Errorf("--at: %w", err)
		}
	}
	e, err := svc.AddEvent(ctx, id, rules.EventKind(*kind), t, "admin")
	if err != nil {
		return err
	}
	st, err := svc.StatusFor(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "event %d %s for %s; status now %s (%s)\n", e.Seq, e.Kind, id.Masked(), st.Status.Colour, st.Status.Reason)
	return nil
}

// errNotEnrolled matches admin event for a resident the service has
// never enrolled.
var errNotEnrolled = errors.New("resident never enrolled")

// adminEnrol enrols a named resident directly, for pilots and tests:
// the resident the kiosk's enrolment would create, with the name and
// phone sealed, and no enrolment request behind it.
func adminEnrol(ctx context.Context, svc *server.Service, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("enrol", flag.ContinueOnError)
	idText := fs.String("id", "", "resident ID number")
	name := fs.String("name", "", "the resident's name, as on the ID card")
	phone := fs.String("phone", "", "contact phone (optional)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	id, err := pii.ParseIDNumber(strings.ToUpper(strings.TrimSpace(*idText)), svc.Now())
	if err != nil {
		return err
	}
	n := pii.Name(strings.TrimSpace(*name))
	if !server.ValidName(n.Reveal()) {
		return fmt.Errorf("enrol: --name %w", errInvalidName)
	}
	p := ""
	if *phone != "" {
		var ok bool
		if p, ok = server.NormalizePhone(*phone); !ok {
			return fmt.Errorf("enrol: --phone %w", errInvalidPhone)
		}
	}
	r, err := svc.SeedResident(ctx, id, n, p)
	if err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	fmt.Fprintf(out, "enrolled %s %s as %s\n", n.Masked(), id.Masked(), r.Ref)
	return nil
}

// errInvalidName and errInvalidPhone match an admin enrol the service
// would refuse from a kiosk too.
var (
	errInvalidName  = errors.New("is not a valid name")
	errInvalidPhone = errors.New("is not a valid phone number")
)

// roleList names the roles a device can be provisioned with.
func roleList() string {
	var s []string
	for _, r := range api.Roles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

func kindList() string {
	var s []string
	for _, k := range rules.EventKinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

func adminDevice(ctx context.Context, svc *server.Service, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("device: provision --role ROLE|revoke|list")
	}
	fs := flag.NewFlagSet("device", flag.ContinueOnError)
	note := fs.String("note", "", "where the device goes")
	role := fs.String("role", "", "provision: what the device may do, fixed for its life: "+roleList())
	id := fs.String("id", "", "device ID")
	cert := fs.String("tls-cert", "", "provision: the certificate the service (or its TLS proxy) presents, for the kiosk to pin")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "provision":
		var spki []byte
		if *cert != "" {
			var err error
			if spki, err = certSPKI(*cert); err != nil {
				return err
			}
		}
		if *role == "" {
			return errors.New("device provision: --role is required: " + roleList())
		}
		code, exp, err := svc.ProvisionDevice(ctx, *note, api.Role(*role))
		if err == nil {
			fmt.Fprintf(out, "provisioning code: %s (role %s, single use, until %s)\nservice fingerprint: %s (%s)\n", code, *role,
				exp.Format(time.RFC3339), svc.Fingerprint(spki), fingerprintNote(spki))
		}
		return err
	case "revoke":
		err := svc.Store.RevokeDevice(ctx, *id, svc.Now())
		if err == nil {
			fmt.Fprintln(out, "revoked", *id)
		}
		return err
	case "list":
		ds, err := svc.Store.Devices(ctx)
		for _, d := range ds {
			state := "active"
			if !d.RevokedAt.IsZero() {
				state = "revoked " + d.RevokedAt.Format(time.RFC3339)
			}
			role := string(d.Role)
			if role == "" {
				role = "no-role" // registered before roles: provision it again
			}
			fmt.Fprintf(out, "%s\t%s\t%s\t%s\t%s\n", d.ID, d.Name, role, d.RegisteredAt.Format(time.RFC3339), state)
		}
		return err
	}
	return fmt.Errorf("device: unknown command %q", args[0])
}

func adminWorker(ctx context.Context, svc *server.Service, args []string, stdin io.Reader, out io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("worker: add --id ID --name NAME (password on stdin)")
	}
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	id := fs.String("id", "", "worker ID")
	name := fs.String("name", "", "display name")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if err := svc.AddWorker(ctx, *id, *name, strings.TrimRight(line, "\r\n")); err != nil {
		return err
	}
	fmt.Fprintln(out, "worker", *id, "saved")
	return nil
}

func adminCorrection(ctx context.Context, svc *server.Service, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("correction: list|resolve")
	}
	fs := flag.NewFlagSet("correction", flag.ContinueOnError)
	id := fs.Int64("id", 0, "correction ID")
	accept := fs.Bool("accept", false, "accept")
	reject := fs.Bool("reject", false, "reject")
	kind := fs.String("kind", "", "with --accept: event to add")
	at := fs.String("at", "", "with --kind: when, RFC 3339 (default now)")
	note := fs.String("note", "", "resolution note")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "list":
		cs, err := svc.Store.Corrections(ctx, "", "")
		for _, c := range cs {
			fmt.Fprintf(out, "%d\t%s\t%s\t%s\t%s\t%q\t%q\n", c.ID, c.State, c.ResidentRef, c.DeviceID, c.FiledAt.Format(time.RFC3339), c.Reason, c.Note)
		}
		return err
	case "resolve":
		if *accept == *reject {
			return errors.New("correction resolve: give exactly one of --accept and --reject")
		}
		var t time.Time
		if *at != "" {
			var err error
			if t, err = time.Parse(time.RFC3339, *at); err != nil {
				return fmt.Errorf("--at: %w", err)
			}
		}
		c, err := svc.ResolveCorrection(ctx, *id, *accept, *note, rules.EventKind(*kind), t)
		if err == nil {
			fmt.Fprintf(out, "correction %d %s\n", c.ID, c.State)
		}
		return err
	}
	return fmt.Errorf("correction: unknown command %q", args[0])
}

func verifyCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	db := fs.String("db", "", "database to take the trust list from (offline): "+dbUsage)
	keyFile := fs.String("key-file", "", keyFileUsage)
	url := fs.String("url", "", "service URL: fetch the trust list")
	rootKey := fs.String("root-key", "", "with --url: the pinned root key (base64url)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("verify: usage: codeservice verify [--db FILE | --url URL --root-key KEY] TOKEN")
	}
	text := fs.Arg(0)
	var tl *token.TrustList
	var live verify.Live
	switch {
	case *db != "":
		svc, closeDB, err := openService(ctx, *db, *keyFile, "", slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			return err
		}
		defer closeDB()
		raw, _, err := svc.SignedTrustList(ctx)
		if err != nil {
			return err
		}
		if tl, err = token.ParseTrustList(raw, svc.RootPublicKey()); err != nil {
			return err
		}
		// On the service's own database the live answer is at hand:
		// revoked and superseded codes are refused as a venue would.
		live = serviceLive{svc}
	case *url != "":
		root, err := base64.RawURLEncoding.DecodeString(*rootKey)
		if err != nil || len(root) != ed25519.PublicKeySize {
			return errors.New("verify: --root-key must be the 32-byte root key in base64url")
		}
		c := &client.Client{BaseURL: *url, HTTP: &http.Client{Timeout: 10 * time.Second}}
		raw, err := c.TrustList(ctx)
		if err != nil {
			return err
		}
		if tl, err = token.ParseTrustList(raw, ed25519.PublicKey(root)); err != nil {
			return err
		}
	default:
		return errors.New("verify: give --db or --url")
	}
	// Over --url the live status needs a registered device's credentials,
	// so that check is offline (signature, lifetime, fresh status claim).
	v := &verify.Verifier{Trust: tl, Live: live, Now: time.Now}
	res, err := v.Verify(ctx, text)
	if err != nil {
		return fmt.Errorf("%w (%s)", err, verify.Explain(err))
	}
	fmt.Fprintf(out, "token %s by key %s, masked name %s, expires %s\ncolour: %q (source %s)\n%s\n",
		res.Claims.TokenIDString(), res.Claims.KeyID, res.Claims.MaskedName, res.Claims.ExpiresAt.Format(time.RFC3339),
		res.Colour, res.Source, res.Explanation)
	return nil
}

// serviceLive answers the verifier's live question from the service
// itself, for `verify --db`.
type serviceLive struct{ svc *server.Service }

func (l serviceLive) TokenStatus(ctx context.Context, tokenID string) (verify.LiveStatus, error) {
	t, err := l.svc.TokenStatus(ctx, tokenID)
	if errors.Is(err, store.ErrNotFound) {
		return verify.LiveStatus{}, fmt.Errorf("%w: %w", verify.ErrUnknownToken, err)
	}
	if err != nil {
		return verify.LiveStatus{}, err
	}
	return verify.LiveStatus{State: t.State, MaskedName: t.MaskedName, Status: client.RulesStatus(t.Status)}, nil
}
