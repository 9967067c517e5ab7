package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// firefoxResultTimeout bounds the wait for the page's result: Firefox's start with a fresh profile, the
// take's metadata and three seeks take a few seconds.
const firefoxResultTimeout = 60 * time.Second

// TestTakeSeeksInFirefox records a take and plays it in headless Firefox ESR from the server: the duration
// is finite and right, and seeking to a quarter, half and three quarters lands there with a decoded frame
// (readyState ≥ 2) of the take's width.
// It is the Firefox counterpart of TestTakeSeeksInChromium. There is no WebDriver for Firefox here, so
// Firefox opens a page of the test's own that drives itself and posts its findings back.
//
// Firefox is lenient: it also finds the duration of, and seeks within, a small WebM that has neither a
// Duration nor Cues (tried with one from ffmpeg -live 1). So this test shows that takes open and seek in
// Firefox; guarding the Duration and the Cues is TestTakeSeeksInChromium's job.
func TestTakeSeeksInFirefox(t *testing.T) {
	if _, err := exec.LookPath("firefox-esr"); err != nil {
		t.Fatal("firefox-esr is not installed (make test installs it)")
	}
	s := startServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	p := s.dial(t, ctx)
	q1 := s.iv.Questions[0].ID
	saved, spoke := recordTake(t, ctx, p, "record", q1, 8*time.Second)

	// The video element loads the take straight from the app's server (a cross-origin <video src> needs no
	// CORS); the page and its result endpoint share the test's own server.
	res := firefoxSeeks(t, ctx, s.http.URL+saved.URL, spoke.Seconds())
	d, err := strconv.ParseFloat(res.Duration, 64)
	t.Logf("duration in Firefox %s s; recorded %.3f s (the server saved %d ms)", res.Duration, spoke.Seconds(), saved.DurationMs)
	if want := spoke.Seconds(); err != nil || d <= 0 || d > want*1.05 || d < want*0.95 {
		t.Errorf("duration in Firefox %q, want %.3f s ± 5%%", res.Duration, want)
	}
	if len(res.Seeks) != len(firefoxSeekFractions) {
		t.Fatalf("Firefox reported %d seeks, want %d: %+v", len(res.Seeks), len(firefoxSeekFractions), res.Seeks)
	}
	for _, sk := range res.Seeks {
		t.Logf("seek to %.0f%% (%.3f s): seeked after %.0f ms at %.3f s, readyState %d, %dx%d",
			sk.Fraction*100, sk.Target, sk.Ms, sk.CurrentTime, sk.ReadyState, sk.VideoWidth, sk.VideoHeight)
		if sk.CurrentTime < sk.Target-0.1 || sk.CurrentTime > sk.Target+0.1 || sk.ReadyState < 2 || sk.VideoWidth != 320 {
			t.Errorf("seek to %.0f%% (%.3f s): currentTime %.3f, readyState %d, width %d; want within 0.1 s, ≥ 2, 320",
				sk.Fraction*100, sk.Target, sk.CurrentTime, sk.ReadyState, sk.VideoWidth)
		}
	}
}

var firefoxSeekFractions = []float64{0.25, 0.5, 0.75}

// firefoxResult is what the page posts back. Duration is JavaScript's String(duration), so that
// "Infinity" and "NaN" survive JSON.
type firefoxResult struct {
	Duration string        `json:"duration"`
	Seeks    []firefoxSeek `json:"seeks"`
	Error    string        `json:"error"`
}

type firefoxSeek struct {
	Fraction    float64 `json:"fraction"`
	Target      float64 `json:"target"`
	CurrentTime float64 `json:"currentTime"`
	ReadyState  int     `json:"readyState"`
	VideoWidth  int     `json:"videoWidth"`
	VideoHeight int     `json:"videoHeight"`
	Ms          float64 `json:"ms"` // from setting currentTime to seeked
}

// firefoxSeekPage loads cfg.src into a muted, paused video, seeks it to each fraction of its duration (of
// cfg.want if the duration is not finite) and posts what it saw to /result. Every wait has its own time
// limit, so a stuck step still reports.
const firefoxSeekPage = `<!doctype html>
<meta charset="utf-8">
<title>seek test</title>
<video id="v" muted preload="auto"></video>
<script>
const cfg = %s;
const v = document.getElementById('v');
let posted = false;
const post = (r) => {
	if (posted) return;
	posted = true;
	fetch('/result', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(r)});
};
window.addEventListener('error', (e) => post({error: 'page error: ' + e.message}));
// until resolves on the video's event name, and fails on its error event or after cfg.stepMs.
const until = (name, what) => new Promise((resolve, reject) => {
	const done = (f, x) => { clearTimeout(timer); v.removeEventListener(name, ok); v.removeEventListener('error', bad); f(x) };
	const ok = () => done(resolve);
	const bad = () => done(reject, new Error(what + ': media error ' + (v.error ? v.error.code + ' ' + v.error.message : '')));
	const timer = setTimeout(() => done(reject, new Error('timed out waiting for ' + what + ' (readyState ' + v.readyState + ')')), cfg.stepMs);
	v.addEventListener(name, ok);
	v.addEventListener('error', bad);
});
(async () => {
	const r = {seeks: []};
	try {
		const meta = until('loadedmetadata', "the take's metadata");
		v.src = cfg.src;
		await meta;
		v.pause();
		r.duration = String(v.duration);
		const base = isFinite(v.duration) && v.duration > 0 ? v.duration : cfg.want;
		for (const fraction of cfg.fractions) {
			const target = base * fraction;
			const seeked = until('seeked', 'seeked at ' + target);
			const t0 = performance.now();
			v.currentTime = target;
			await seeked;
			r.seeks.push({fraction, target, currentTime: v.currentTime, readyState: v.readyState,
				videoWidth: v.videoWidth, videoHeight: v.videoHeight, ms: performance.now() - t0});
		}
	} catch (e) {
		r.error = String(e && e.message || e);
	}
	post(r);
})();
</script>
`

// firefoxSeeks serves the seek page from a server of the test's own, opens it in headless Firefox ESR and
// returns what the page reports about the video at src.
func firefoxSeeks(t *testing.T, ctx context.Context, src string, want float64) firefoxResult {
	t.Helper()
	cfg, err := json.Marshal(map[string]any{"src": src, "want": want, "fractions": firefoxSeekFractions, "stepMs": 15000})
	if err != nil {
		t.Fatal(err)
	}
	results := make(chan firefoxResult, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, firefoxSeekPage, cfg)
	})
	mux.HandleFunc("POST /result", func(w http.ResponseWriter, r *http.Request) {
		var res firefoxResult
		if err := json.NewDecoder(r.Body).Decode(&res); err != nil {
			res.Error = "undecodable result: " + err.Error()
		}
		select {
		case results <- res:
		default: // only the first result counts
		}
	})
	page := httptest.NewServer(mux)
	t.Cleanup(page.Close)

	proxy := newRefusingProxy(t)
	defer proxy.report(t)
	ff := startFirefox(t, page.URL+"/", proxy.addr())
	defer ff.stop(t)
	select {
	case res := <-results:
		if res.Error != "" {
			t.Errorf("the page in Firefox: %s", res.Error) // before the deferred stop, which then logs Firefox's output
		}
		return res
	case <-ff.exited:
		t.Fatalf("Firefox ended before the page reported: %v", ff.cmd.ProcessState)
	case <-time.After(firefoxResultTimeout):
		t.Fatalf("no result from Firefox in %v", firefoxResultTimeout)
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	return firefoxResult{}
}

// firefoxProcess is a running headless Firefox in a process group of its own.
type firefoxProcess struct {
	cmd    *exec.Cmd
	output bytes.Buffer  // stdout and stderr, read only after exited is closed
	exited chan struct{} // closed when the main process has ended and its output is in
	once   sync.Once
}

// startFirefox starts headless Firefox ESR on url with a fresh profile (and home) under the test's
// temporary directory. It is stopped, and its output logged if the test failed, when the test ends.
//
// MOZ_DISABLE_NONLOCAL_CONNECTIONS=1, as in Mozilla's own test harness, makes Firefox refuse any
// connection to an address that is not local, loudly: its network process aborts with "FATAL ERROR:
// Non-local network connections are disabled". It also lets services.settings.server point remote
// settings nowhere, which a release build otherwise ignores.
func startFirefox(t *testing.T, url, proxyAddr string) *firefoxProcess {
	t.Helper()
	profile, home := t.TempDir(), t.TempDir() // removed after the cleanup below has stopped Firefox
	if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(firefoxUserJS(proxyAddr)), 0o600); err != nil {
		t.Fatal(err)
	}
	f := &firefoxProcess{exited: make(chan struct{})}
	f.cmd = exec.Command("firefox-esr", "--headless", "--no-remote", "--profile", profile, url)
	f.cmd.Env = append(os.Environ(), "HOME="+home, "MOZ_HEADLESS=1", "MOZ_CRASHREPORTER_DISABLE=1",
		"MOZ_DISABLE_NONLOCAL_CONNECTIONS=1")
	f.cmd.Stdout, f.cmd.Stderr = &f.output, &f.output
	f.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	f.cmd.WaitDelay = 5 * time.Second // a helper that outlived the kill must not hold the output pipe forever
	if err := f.cmd.Start(); err != nil {
		t.Fatalf("starting firefox-esr: %v", err)
	}
	go func() {
		_ = f.cmd.Wait()
		close(f.exited)
	}()
	t.Cleanup(func() { f.stop(t) })
	return f
}

// stop kills Firefox and every process of its group, and waits for the main one.
func (f *firefoxProcess) stop(t *testing.T) {
	f.once.Do(func() {
		pgid := f.cmd.Process.Pid
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-f.exited
		if left := processesInGroup(pgid, 3*time.Second); len(left) > 0 {
			t.Errorf("Firefox processes %v outlived the kill of their group", left)
		}
		if t.Failed() {
			out := f.output.String()
			if len(out) > 8000 {
				out = out[len(out)-8000:]
			}
			t.Logf("Firefox's output (last 8000 bytes):\n%s", out)
		}
	})
}

// processesInGroup waits up to limit for the live (not zombie) processes of group pgid to be gone and
// returns those that are not.
func processesInGroup(pgid int, limit time.Duration) []int {
	deadline := time.Now().Add(limit)
	for {
		var live []int
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
			if err != nil {
				continue
			}
			// pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
			i := bytes.LastIndexByte(stat, ')')
			if i < 0 {
				continue
			}
			fields := strings.Fields(string(stat[i+1:]))
			if len(fields) >= 3 && fields[0] != "Z" && fields[2] == strconv.Itoa(pgid) {
				live = append(live, pid)
			}
		}
		if len(live) == 0 || time.Now().After(deadline) {
			return live
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// firefoxUserJS returns the profile's preferences: muted media may play and seek without a gesture, no
// first-run pages, and nothing that talks to the network on its own (updates, telemetry, captive-portal
// and connectivity checks, safe browsing, Normandy, remote settings, add-on and plugin downloads, DNS
// over HTTPS, prefetching). As a backstop every proxied request (everything but loopback) goes to
// proxyAddr, a proxy of the test's that refuses it and says so.
func firefoxUserJS(proxyAddr string) string {
	host, portText, _ := strings.Cut(proxyAddr, ":")
	port, _ := strconv.Atoi(portText)
	prefs := []struct {
		name  string
		value any
	}{
		// What the test needs.
		{"media.autoplay.default", 0},
		{"media.autoplay.blocking_policy", 0},
		{"browser.shell.checkDefaultBrowser", false},
		{"browser.startup.homepage_override.mstone", "ignore"},
		{"browser.startup.page", 0},
		{"startup.homepage_welcome_url", ""},
		{"startup.homepage_welcome_url.additional", ""},
		{"browser.aboutwelcome.enabled", false},
		{"trailhead.firstrun.didSeeAboutWelcome", true},
		{"browser.sessionstore.resume_from_crash", false},
		{"browser.tabs.warnOnClose", false},
		{"toolkit.startup.max_resumed_crashes", -1},
		{"browser.warnOnQuit", false},
		{"datareporting.policy.firstRunURL", ""},
		{"datareporting.policy.dataSubmissionPolicyBypassNotification", true},

		// Updates.
		{"app.update.auto", false},
		{"app.update.enabled", false},
		{"app.update.checkInstallTime", false},
		{"app.update.disabledForTesting", true},
		{"app.update.url", ""},
		{"extensions.update.enabled", false},
		{"extensions.update.autoUpdateDefault", false},
		{"extensions.systemAddon.update.enabled", false},
		{"extensions.systemAddon.update.url", ""},
		{"extensions.getAddons.cache.enabled", false},
		{"extensions.blocklist.enabled", false},
		{"browser.search.update", false},
		{"media.gmp-manager.url", ""},
		{"media.gmp-gmpopenh264.enabled", false},
		{"media.gmp-gmpopenh264.autoupdate", false},
		{"media.gmp-widevinecdm.enabled", false},
		{"media.gmp-widevinecdm.autoupdate", false},
		{"media.eme.enabled", false},

		// Telemetry and reporting.
		{"datareporting.healthreport.uploadEnabled", false},
		{"datareporting.policy.dataSubmissionEnabled", false},
		{"datareporting.usage.uploadEnabled", false},
		{"toolkit.telemetry.enabled", false},
		{"toolkit.telemetry.unified", false},
		{"toolkit.telemetry.archive.enabled", false},
		{"toolkit.telemetry.server", "data:,"},
		{"toolkit.telemetry.newProfilePing.enabled", false},
		{"toolkit.telemetry.shutdownPingSender.enabled", false},
		{"toolkit.telemetry.firstShutdownPing.enabled", false},
		{"toolkit.telemetry.updatePing.enabled", false},
		{"toolkit.telemetry.bhrPing.enabled", false},
		{"toolkit.coverage.endpoint.base", ""},
		{"toolkit.coverage.opt-out", true},
		{"browser.ping-centre.telemetry", false},
		{"browser.crashReports.unsubmittedCheck.autoSubmit2", false},
		{"breakpad.reportURL", ""},
		{"app.shield.optoutstudies.enabled", false},
		{"browser.discovery.enabled", false},

		// Captive portal and connectivity checks.
		{"network.captive-portal-service.enabled", false},
		{"network.connectivity-service.enabled", false},
		{"captivedetect.canonicalURL", ""},

		// Safe browsing.
		{"browser.safebrowsing.malware.enabled", false},
		{"browser.safebrowsing.phishing.enabled", false},
		{"browser.safebrowsing.blockedURIs.enabled", false},
		{"browser.safebrowsing.downloads.enabled", false},
		{"browser.safebrowsing.downloads.remote.enabled", false},
		{"browser.safebrowsing.passwords.enabled", false},
		{"browser.safebrowsing.provider.google.updateURL", ""},
		{"browser.safebrowsing.provider.google.gethashURL", ""},
		{"browser.safebrowsing.provider.google4.updateURL", ""},
		{"browser.safebrowsing.provider.google4.gethashURL", ""},
		{"browser.safebrowsing.provider.mozilla.updateURL", ""},
		{"browser.safebrowsing.provider.mozilla.gethashURL", ""},

		// Normandy, remote settings, region, new-tab content.
		{"app.normandy.enabled", false},
		{"app.normandy.api_url", ""},
		{"services.settings.server", "data:,#remote-settings-dummy/v1"},
		{"security.remote_settings.crlite_filters.enabled", false},
		{"security.remote_settings.intermediates.enabled", false},
		{"browser.region.network.url", ""},
		{"browser.region.update.enabled", false},
		{"browser.newtabpage.enabled", false},
		{"browser.newtabpage.activity-stream.feeds.telemetry", false},
		{"browser.newtabpage.activity-stream.telemetry", false},
		{"browser.newtabpage.activity-stream.feeds.snippets", false},
		{"browser.newtabpage.activity-stream.feeds.topsites", false},
		{"browser.newtabpage.activity-stream.feeds.section.topstories", false},
		{"browser.newtabpage.activity-stream.feeds.system.topstories", false},
		{"browser.newtabpage.activity-stream.showSponsored", false},
		{"browser.newtabpage.activity-stream.showSponsoredTopSites", false},
		{"browser.topsites.contile.enabled", false},
		{"browser.urlbar.suggest.quicksuggest.sponsored", false},
		{"browser.urlbar.suggest.quicksuggest.nonsponsored", false},
		{"geo.enabled", false},
		{"geo.provider.network.url", ""},
		{"identity.fxaccounts.enabled", false},
		{"services.sync.enabled", false},
		{"signon.management.page.breach-alerts.enabled", false},
		{"extensions.pocket.enabled", false},
		{"browser.contentblocking.report.lockwise.enabled", false},

		// Certificates, DNS, speculative connections.
		{"security.OCSP.enabled", 0},
		{"security.certerrors.mitm.priming.enabled", false},
		{"network.trr.mode", 5},
		{"network.dns.disablePrefetch", true},
		{"network.dns.disablePrefetchFromHTTPS", true},
		{"network.prefetch-next", false},
		{"network.predictor.enabled", false},
		{"network.http.speculative-parallel-limit", 0},
		{"browser.places.speculativeConnect.enabled", false},
		{"browser.urlbar.speculativeConnect.enabled", false},
		{"media.peerconnection.enabled", false},

		// The backstop: everything but loopback goes through a proxy that refuses it.
		{"network.proxy.type", 1},
		{"network.proxy.http", host},
		{"network.proxy.http_port", port},
		{"network.proxy.ssl", host},
		{"network.proxy.ssl_port", port},
		{"network.proxy.no_proxies_on", ""},
		{"network.proxy.allow_hijacking_localhost", false},
		{"network.proxy.socks_remote_dns", true},
	}
	var b strings.Builder
	for _, p := range prefs {
		js, _ := json.Marshal(p.value)
		fmt.Fprintf(&b, "user_pref(%q, %s);\n", p.name, js)
	}
	return b.String()
}

// refusingProxy is an HTTP proxy on loopback that answers every request, and every CONNECT, with 403 and
// remembers where it was asked to go.
type refusingProxy struct {
	srv   *httptest.Server
	mu    sync.Mutex
	asked []string
}

func newRefusingProxy(t *testing.T) *refusingProxy {
	t.Helper()
	p := &refusingProxy{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.asked = append(p.asked, r.Method+" "+r.Host+r.URL.Path)
		p.mu.Unlock()
		http.Error(w, "no network in tests", http.StatusForbidden)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *refusingProxy) addr() string { return p.srv.Listener.Addr().String() }

// report logs the requests Firefox tried to send beyond loopback: refused, but a sign of a preference
// missing from firefoxUserJS.
func (p *refusingProxy) report(t *testing.T) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.asked) > 0 {
		t.Logf("Firefox tried to reach, and the test's proxy refused: %s", strings.Join(p.asked, ", "))
	}
}
