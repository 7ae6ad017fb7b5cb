package main

// The process as operators run it: signals, slow clients.

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/territoires-industrie/carte/tiles/tilestest"
)

// runMainEnv makes the test binary run main() instead of the tests, so
// that a test can start the real program as a child process and signal it.
const runMainEnv = "CARTE_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is the program running in another process.
type child struct {
	cmd    *exec.Cmd
	addr   string
	mu     sync.Mutex
	stderr bytes.Buffer
	exited chan error
}

// startChild runs `territoires args...` and waits until it listens.
func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(os.Args[0], args...), exited: make(chan error, 1)}
	c.cmd.Env = append(os.Environ(), runMainEnv+"=1")
	pipe, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	listening := regexp.MustCompile(`msg=listening addr=(\S+)`)
	addr := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(pipe)
		for s.Scan() {
			c.mu.Lock()
			c.stderr.WriteString(s.Text() + "\n")
			c.mu.Unlock()
			if m := listening.FindStringSubmatch(s.Text()); m != nil {
				addr <- m[1]
			}
		}
		c.exited <- c.cmd.Wait()
	}()
	t.Cleanup(func() { c.cmd.Process.Kill() })
	select {
	case c.addr = <-addr:
	case err := <-c.exited:
		t.Fatalf("the program stopped at start: %v\n%s", err, c.log())
	case <-time.After(60 * time.Second):
		t.Fatalf("the program did not listen\n%s", c.log())
	}
	return c
}

func (c *child) log() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stderr.String()
}

// TestSIGTERMLetsRequestsInFlightFinish: the real program serves an
// archive from a remote origin behind a gate the test holds shut; SIGTERM
// arrives while several clients wait there for their tiles. New
// connections are refused at once (while those requests still wait), then
// the gate opens and every one of them gets its tile, and the process
// exits 0.
func TestSIGTERMLetsRequestsInFlightFinish(t *testing.T) {
	dir := t.TempDir()
	good, _ := os.ReadFile(buildArchive(t, dir, "a"))
	o := tilestest.NewOrigin(t, good)
	// The gate: while shut, reads of the archive wait at it until the test
	// opens it, however long the test takes to look.
	var shut atomic.Bool
	reached := make(chan struct{}, 64)
	gate := make(chan struct{})
	var opening sync.Once
	openGate := func() { opening.Do(func() { close(gate) }) }
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if shut.Load() {
			select {
			case reached <- struct{}{}:
			default:
			}
			<-gate
		}
		o.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	t.Cleanup(openGate) // cleanups run last first: the gate opens before front closes
	c := startChild(t, "serve", "--addr", "127.0.0.1:0", "--tiles", front.URL+"/a.pmtiles",
		"--data", filepath.Join(dir, "data-a"), "--access-log=false", "--storage-timeout", "1m")
	base := "http://" + c.addr
	waitReady(t, base)
	code, want, err := get(base + "/tiles/5/16/11.mvt")
	if err != nil || code != 200 {
		t.Fatalf("tile: %d %v", code, err)
	}

	shut.Store(true)
	const clients = 8
	type result struct {
		code int
		body []byte
		err  error
	}
	results := make(chan result, clients)
	for i := 0; i < clients; i++ {
		go func() {
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Minute}
			resp, err := client.Get(base + "/tiles/5/16/11.mvt")
			if err != nil {
				results <- result{err: err}
				return
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			results <- result{resp.StatusCode, body, err}
		}()
	}
	// Every request is waiting at the gate.
	for i := 0; i < clients; i++ {
		select {
		case <-reached:
		case <-time.After(20 * time.Second):
			t.Fatalf("%d of %d requests reached the origin", i, clients)
		}
	}
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The listener closes at once: a new connection is refused while the
	// requests in flight are still waiting (one caught in the closing
	// listener's backlog may be reset instead).
	var refused error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		conn, err := net.DialTimeout("tcp", c.addr, time.Second)
		if err == nil {
			conn.Close()
		}
		if refused = err; errors.Is(err, syscall.ECONNREFUSED) {
			break
		}
	}
	if !errors.Is(refused, syscall.ECONNREFUSED) {
		t.Errorf("a new connection after SIGTERM: %v, want connection refused", refused)
	}
	// The program is shutting down, the requests still wait: only now does
	// the gate open.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(c.log(), `msg="shutting down"`); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no shutdown logged after SIGTERM:\n%s", c.log())
		}
	}
	if n := len(results); n != 0 {
		t.Errorf("%d requests ended before their tiles could be read: they were not let finish", n)
	}
	if len(c.exited) != 0 {
		t.Error("the program exited with requests in flight")
	}
	openGate()
	for i := 0; i < clients; i++ {
		r := <-results
		if r.err != nil || r.code != 200 || !bytes.Equal(r.body, want) {
			t.Errorf("request in flight at SIGTERM: %d, %d bytes, %v; want 200 and the tile", r.code, len(r.body), r.err)
		}
	}
	select {
	case err := <-c.exited:
		if err != nil {
			t.Errorf("exit: %v, want 0\n%s", err, c.log())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("the program did not exit after SIGTERM\n%s", c.log())
	}
}

// TestSlowClientsDoNotBlockOthers: a slowloris connection (headers one
// byte a second) and a client that never reads its responses are cut by
// the read and write timeouts, while other clients are served normally.
// Nothing is timed by the test: the server's own answers say what
// happened (a 408 for the read timeout, a reset for the write timeout), and
// the normal requests are served before the slowloris is cut.
func TestSlowClientsDoNotBlockOthers(t *testing.T) {
	dir := t.TempDir()
	archive := buildArchive(t, dir, "a")
	base, _ := startServe(t, "--tiles", archive, "--data", filepath.Join(dir, "data-a"), "--read-timeout", "2s", "--write-timeout", "1s")
	waitReady(t, base)
	addr := base[len("http://"):]

	// Slowloris: a request line and headers that never end, a byte a
	// second for longer than any timeout here: only a deadline on the whole
	// request, not one between bytes, cuts it while it still sends.
	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	trickle := []byte("GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: " + string(bytes.Repeat([]byte("z"), 30)))
	var sent atomic.Int64
	go func() {
		pace := time.NewTicker(time.Second)
		defer pace.Stop()
		for _, b := range trickle {
			if _, err := slow.Write([]byte{b}); err != nil {
				return
			}
			sent.Add(1)
			<-pace.C
		}
	}()
	slowClosed := make(chan []byte, 1)
	go func() {
		got, _ := io.ReadAll(slow) // ends when the server closes
		slowClosed <- got
	}()

	// A reader that never reads: pipelined requests for a big answer,
	// with a tiny receive buffer.
	dialer := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	stuck, err := dialer.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	_, doc, _ := get(base + "/openapi.json")
	const pipelined = 1000
	go stuck.Write(bytes.Repeat([]byte("GET /openapi.json HTTP/1.1\r\nHost: a\r\n\r\n"), pipelined))

	// Others are served meanwhile: 20 requests answered while the
	// slowloris still holds its connection.
	for served := 0; served < 20; served++ {
		code, body, err := get(base + "/api/search?q=ARA")
		if err != nil || code != 200 || !bytes.Contains(body, []byte("ARA")) {
			t.Fatalf("a normal request while slow clients hang on: %d %v %s", code, err, body)
		}
	}
	if len(slowClosed) > 0 {
		t.Error("the slowloris was cut before 20 normal requests were served: they waited")
	}

	// The read timeout cuts the slowloris while it is still sending: the
	// server answers 408, never 200.
	select {
	case got := <-slowClosed:
		if !bytes.Contains(got, []byte(" 408 ")) {
			t.Errorf("the slowloris connection ended with %q, want a 408 from the read timeout", got)
		}
		if n := sent.Load(); n >= int64(len(trickle)) {
			t.Errorf("the slowloris was cut after sending all it had (%d bytes): a pause cut it, not the read timeout", n)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the slowloris connection is still open")
	}

	// The server gives up writing to the client that does not read: it
	// resets the connection (requests it had not read yet are pending) before
	// all the answers were sent.
	for deadline := time.Now().Add(20 * time.Second); socketError(t, stuck) == nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the non-reading client's connection is still open")
		}
	}
	stuck.SetReadDeadline(time.Now().Add(10 * time.Second))
	var n countingWriter
	_, err = io.Copy(&n, stuck)
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		t.Fatalf("the stuck connection is still open after %d bytes", n)
	}
	if total := int64(pipelined * len(doc)); int64(n) >= total {
		t.Errorf("the stuck client received %d bytes, everything (%d): the write timeout did not cut it", n, total)
	}
	t.Logf("slowloris cut after %d of %d bytes; the non-reading client was cut after %d of %d bytes", sent.Load(), len(trickle), n, pipelined*len(doc))
}

// socketError is the error the kernel holds for a connection (SO_ERROR),
// such as a reset by the peer, or nil.
func socketError(t *testing.T, c net.Conn) error {
	t.Helper()
	rc, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var soErr int
	if err := rc.Control(func(fd uintptr) { soErr, err = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_ERROR) }); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if soErr != 0 {
		return syscall.Errno(soErr)
	}
	return nil
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
