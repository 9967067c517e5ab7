package bench

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/takes/takes/internal/loadgen"
)

// meter samples the server's process: once idle, every two seconds, and at the generator's phases.
type meter struct {
	srv *server

	mu             sync.Mutex
	idleProc       procSample
	idleGoroutines int
	udpDrops       [2]int64 // the kernel's UDP drops before the generator started, and after it ended
	samples        []sample
	steady, drain  phaseSample
}

type sample struct {
	procSample
	Goroutines int
}

// phaseSample is taken as a phase begins: the server, this process (the generator) and the machine.
type phaseSample struct {
	server     procSample
	self       procSample
	machine    cpuTimes
	kthreads   float64 // CPU seconds of the kernel's threads
	goroutines int
	mem        memStats
}

// settle is how long a fresh server is left alone before its idle figures are taken.
const settle = time.Second

func (m *meter) idle(ctx context.Context) error {
	select {
	case <-time.After(settle):
	case <-ctx.Done():
		return ctx.Err()
	}
	p, err := sampleProc(m.srv.cmd.Process.Pid)
	if err != nil {
		return err
	}
	g, err := m.srv.goroutines(ctx)
	if err != nil {
		return err
	}
	drops, _ := udpDrops()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.idleProc, m.idleGoroutines, m.udpDrops[0] = p, g, drops
	return nil
}

// sample samples the server every two seconds until ctx is done.
func (m *meter) sample(ctx context.Context) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p, err := sampleProc(m.srv.cmd.Process.Pid)
		if err != nil {
			continue
		}
		g, _ := m.srv.goroutines(ctx)
		m.mu.Lock()
		m.samples = append(m.samples, sample{p, g})
		m.mu.Unlock()
	}
}

func (m *meter) phase(ctx context.Context, p loadgen.Phase) {
	var s phaseSample
	s.server, _ = sampleProc(m.srv.cmd.Process.Pid)
	s.self, _ = sampleProc(0)
	s.machine, _ = sampleMachine()
	s.kthreads = kernelThreadsCPU()
	s.goroutines, _ = m.srv.goroutines(ctx)
	s.mem, _ = m.srv.memStats(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	switch p {
	case loadgen.PhaseSteady:
		m.steady = s
	case loadgen.PhaseDrain:
		m.drain = s
	case loadgen.PhaseDone:
		m.udpDrops[1], _ = udpDrops()
	}
}

// Step is the figures of one N.
type Step struct {
	N       int     `json:"n"`
	Streams int     `json:"streams"` // candidates connected
	HoldS   float64 `json:"holdS"`   // the measured window: all connected, recording

	// CPU seconds per stream-second over the hold: the server's, and the generator's (this process).
	ServerCPUPerStreamS float64 `json:"serverCpuPerStreamS"`
	GenCPUPerStreamS    float64 `json:"generatorCpuPerStreamS"`
	MachineBusyPct      float64 `json:"machineBusyPct"` // of all CPUs, over the hold
	// KernelPct is the part of MachineBusyPct spent in interrupts, SoftIRQs and kernel threads (the
	// kernel's share of moving packets over loopback, charged to no process); OtherPct the part that
	// was neither that, the server nor the generator: other programs on the machine.
	KernelPct float64 `json:"kernelPct"`
	OtherPct  float64 `json:"otherPct"`
	StealPct  float64 `json:"stealPct"`

	IdleRSSMiB     float64 `json:"idleRssMiB"`
	RSSMiB         float64 `json:"rssMiB"` // mean over the hold
	HWMMiB         float64 `json:"hwmMiB"` // the server's peak RSS
	MiBPerStream   float64 `json:"mibPerStream"`
	IdleGoroutines int     `json:"idleGoroutines"`
	Goroutines     int     `json:"goroutines"` // at the end of the hold
	Threads        int     `json:"threads"`
	FDs            int     `json:"fds"`
	MbpsPerStream  float64 `json:"mbpsPerStream"` // RTP payload a candidate sent during the hold, on average

	// Per RTP packet the generator sent during the hold: the server's CPU time and heap allocations
	// (Pion's receive path included); and the server's garbage collections a second.
	ServerUsPerPacket     float64 `json:"serverUsPerPacket"`
	ServerAllocsPerPacket float64 `json:"serverAllocsPerPacket"`
	GCPerS                float64 `json:"gcPerS"`

	Takes          int     `json:"takes"`  // recorded without error
	Kept           int     `json:"kept"`   // still on disk at the end
	Judged         int     `json:"judged"` // matched frame by frame with what was sent
	TakeErrors     int     `json:"takeErrors"`
	PeerErrors     int     `json:"peerErrors"`
	FramesSent     int     `json:"framesSent"` // in the spans of the judged files
	FramesWritten  int     `json:"framesWritten"`
	FramesRatio    float64 `json:"framesRatio"`
	Unmatched      int     `json:"unmatched"`
	CountMismatch  int     `json:"countMismatch"`
	PacketsLost    uint64  `json:"packetsLost"`   // server's quality records, after retransmission
	FramesDropped  uint64  `json:"framesDropped"` // server's quality records
	NACKed         int64   `json:"nacked"`        // packets the server asked to resend
	UDPDrops       int64   `json:"udpDrops"`      // datagrams the kernel dropped, its socket buffer full (whole machine, whole run)
	LostReported   int64   `json:"lostReported"`  // server's receiver reports, before retransmission
	Skipped        int64   `json:"skipped"`       // frames the generator fell too far behind to send
	RecordingP50Ms float64 `json:"recordingP50Ms"`
	RecordingP99Ms float64 `json:"recordingP99Ms"`
	FirstFrameP50  float64 `json:"firstFrameP50Ms"` // record → first picture in the file (server)
	FirstFrameP99  float64 `json:"firstFrameP99Ms"`
	AudioLateMaxMs int64   `json:"audioLateMaxMs"`
	StopSavedP50Ms float64 `json:"stopSavedP50Ms"`
	StopSavedP99Ms float64 `json:"stopSavedP99Ms"`
	Decoded        int     `json:"decoded"`
	DecodeFailed   int     `json:"decodeFailed"`

	JudgeS  float64  `json:"judgeS"`
	Retried string   `json:"retried,omitempty"` // why the step was run a second time
	WaitedS float64  `json:"waitedS"`           // waiting for other programs to leave the machine
	Profile string   `json:"profile,omitempty"`
	Pass    bool     `json:"pass"`
	Why     []string `json:"why,omitempty"`
	Notes   []string `json:"notes,omitempty"` // the first errors and refusals, decode messages
}

func (st *Step) fail(format string, args ...any) {
	st.Pass = false
	st.Why = append(st.Why, fmt.Sprintf(format, args...))
}

// fill computes the step's figures and verdict.
func (st *Step) fill(rep *loadgen.Report, m *meter, v *verdict) {
	st.Pass = true
	sum := rep.Summary()
	st.Streams, st.PeerErrors, st.TakeErrors = sum.Connected, sum.Failed, sum.TakeErrors
	st.NACKed, st.LostReported, st.Skipped = sum.NACKed, sum.LostReported, sum.Skipped
	st.RecordingP50Ms, st.RecordingP99Ms = sum.RecordingP50, sum.RecordingP99
	st.StopSavedP50Ms, st.StopSavedP99Ms = sum.StopSavedP50, sum.StopSavedP99
	st.Notes = append(st.Notes, sum.Errors...)
	st.fillProcess(m)
	st.fillPackets(m, rep)
	st.fillVerdict(v)
	st.judge(sum)
}

func (st *Step) fillProcess(m *meter) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s0, s1 := m.steady, m.drain
	st.HoldS = s1.server.At.Sub(s0.server.At).Seconds()
	if streamS := float64(st.Streams) * st.HoldS; streamS > 0 {
		st.ServerCPUPerStreamS = (s1.server.CPU - s0.server.CPU) / streamS
		st.GenCPUPerStreamS = (s1.self.CPU - s0.self.CPU) / streamS
	}
	if total := s1.machine.Total - s0.machine.Total; total > 0 {
		busy := s1.machine.Busy - s0.machine.Busy
		kernel := s1.machine.IRQ - s0.machine.IRQ + s1.kthreads - s0.kthreads
		ours := (s1.server.CPU - s0.server.CPU) + (s1.self.CPU - s0.self.CPU)
		st.MachineBusyPct = 100 * busy / total
		st.KernelPct = 100 * kernel / total
		st.OtherPct = 100 * max(busy-kernel-ours, 0) / total
		st.StealPct = 100 * (s1.machine.Steal - s0.machine.Steal) / total
	}
	st.UDPDrops = m.udpDrops[1] - m.udpDrops[0]
	st.IdleRSSMiB = float64(m.idleProc.RSSKiB) / 1024
	st.IdleGoroutines = m.idleGoroutines
	st.Goroutines, st.Threads, st.FDs = s1.goroutines, s1.server.Threads, s1.server.FDs
	var rss []float64
	for _, s := range m.samples {
		st.HWMMiB = max(st.HWMMiB, float64(s.HWMKiB)/1024)
		if !s.At.Before(s0.server.At) && !s.At.After(s1.server.At) {
			rss = append(rss, float64(s.RSSKiB)/1024)
		}
	}
	if len(rss) == 0 {
		rss = append(rss, float64(s1.server.RSSKiB)/1024)
	}
	var total float64
	for _, r := range rss {
		total += r
	}
	st.RSSMiB = total / float64(len(rss))
	st.HWMMiB = max(st.HWMMiB, float64(s1.server.HWMKiB)/1024)
	if st.Streams > 0 {
		st.MiBPerStream = (st.RSSMiB - st.IdleRSSMiB) / float64(st.Streams)
	}
}

func (st *Step) fillPackets(m *meter, rep *loadgen.Report) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s0, s1 := m.steady, m.drain
	if packets := float64(rep.DrainCount.Packets - rep.SteadyCount.Packets); packets > 0 {
		st.ServerUsPerPacket = 1e6 * (s1.server.CPU - s0.server.CPU) / packets
		st.ServerAllocsPerPacket = float64(s1.mem.Mallocs-s0.mem.Mallocs) / packets
	}
	if st.HoldS > 0 {
		st.GCPerS = float64(s1.mem.NumGC-s0.mem.NumGC) / st.HoldS
	}
	if st.HoldS > 0 && st.Streams > 0 {
		st.MbpsPerStream = float64(8*(rep.DrainCount.Bytes-rep.SteadyCount.Bytes)) / 1e6 / st.HoldS / float64(st.Streams)
	}
}

func (st *Step) fillVerdict(v *verdict) {
	st.Takes, st.Kept, st.Judged = v.Takes, v.Kept, v.Judged
	st.FramesSent, st.FramesWritten = v.FramesSent, v.FramesWritten
	if v.FramesSent > 0 {
		st.FramesRatio = float64(v.FramesWritten) / float64(v.FramesSent)
	}
	st.Unmatched, st.CountMismatch = v.Unmatched, v.CountMismatch
	st.PacketsLost, st.FramesDropped = v.PacketsLost, v.FramesDropped
	st.FirstFrameP50 = loadgen.Percentile(v.FirstFrameMs, 50)
	st.FirstFrameP99 = loadgen.Percentile(v.FirstFrameMs, 99)
	st.AudioLateMaxMs = v.AudioLateMax
	st.Decoded, st.DecodeFailed = v.Decoded, v.DecodeFailed
	st.Notes = append(st.Notes, v.Missing[:min(len(v.Missing), 10)]...)
	st.Notes = append(st.Notes, v.Mismatches...)
	st.Notes = append(st.Notes, v.DecodeErrors...)
	if len(v.Missing) > 0 {
		st.fail("%d kept takes missing or unreadable", len(v.Missing))
	}
	if v.NotStopped > 0 {
		st.fail("%d takes ended otherwise than by stop", v.NotStopped)
	}
}

// judge decides whether the step held: every candidate connected and recorded, nothing lost, every
// frame sent in a take's span written, every file decoding cleanly, the generator keeping pace.
func (st *Step) judge(sum loadgen.Summary) {
	if st.PeerErrors > 0 || st.Streams < st.N {
		st.fail("%d of %d candidates connected, %d failed", st.Streams, st.N, st.PeerErrors)
	}
	if st.TakeErrors > 0 {
		st.fail("%d takes refused or failed", st.TakeErrors)
	}
	if st.PacketsLost > 0 {
		st.fail("%d packets lost", st.PacketsLost)
	}
	if st.FramesRatio < 0.995 {
		st.fail("frames written/sent %.4f", st.FramesRatio)
	}
	if st.Unmatched > 0 || st.CountMismatch > 0 {
		st.fail("%d blocks not matching a frame sent, %d files whose count differs from the record", st.Unmatched, st.CountMismatch)
	}
	if st.DecodeFailed > 0 {
		st.fail("%d of %d files do not decode cleanly", st.DecodeFailed, st.Decoded)
	}
	if sum.VideoFrames > 0 && float64(st.Skipped) > 0.001*float64(sum.VideoFrames) {
		st.fail("the generator fell behind and skipped %d frames: the machine is saturated", st.Skipped)
	}
}

// PrintTable writes the steps as two tables: cost, then fidelity and timing.
func PrintTable(w io.Writer, steps []Step) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "N\tstreams\tserver CPU-s/stream-s\tµs/packet\tallocs/packet\tGC/s\tgenerator CPU-s/stream-s\tmachine busy (kernel, others)\tMiB/stream\tRSS MiB\tHWM MiB\tgoroutines\tthreads\tfds\tMbit/s/stream\t")
	for _, s := range steps {
		fmt.Fprintf(tw, "%d\t%d\t%.5f\t%.1f\t%.1f\t%.1f\t%.5f\t%.0f%% (%.0f%%, %.0f%%)\t%.2f\t%.0f\t%.0f\t%d\t%d\t%d\t%.2f\t\n", s.N, s.Streams,
			s.ServerCPUPerStreamS, s.ServerUsPerPacket, s.ServerAllocsPerPacket, s.GCPerS, s.GenCPUPerStreamS, s.MachineBusyPct, s.KernelPct, s.OtherPct, s.MiBPerStream, s.RSSMiB, s.HWMMiB,
			s.Goroutines, s.Threads, s.FDs, s.MbpsPerStream)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "N\ttakes\tjudged\tframes written/sent\tratio\tlost\tdropped\tNACKed\tUDP drops\tstop→saved p50/p99 ms\trecord→recording p99 ms\tfirst frame p50/p99 ms\tdecode ok\tpass\t")
	for _, s := range steps {
		pass := "yes"
		if !s.Pass {
			pass = "NO"
		}
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d/%d\t%.4f\t%d\t%d\t%d\t%d\t%.0f/%.0f\t%.0f\t%.0f/%.0f\t%d/%d\t%s\t\n", s.N, s.Takes, s.Judged,
			s.FramesWritten, s.FramesSent, s.FramesRatio, s.PacketsLost, s.FramesDropped, s.NACKed, s.UDPDrops,
			s.StopSavedP50Ms, s.StopSavedP99Ms, s.RecordingP99Ms, s.FirstFrameP50, s.FirstFrameP99,
			s.Decoded-s.DecodeFailed, s.Decoded, pass)
	}
	tw.Flush()
	for _, s := range steps {
		if s.Retried != "" {
			fmt.Fprintf(w, "N=%d: run twice: %s\n", s.N, s.Retried)
		}
		if len(s.Why) > 0 {
			fmt.Fprintf(w, "N=%d: %s\n", s.N, strings.Join(s.Why, "; "))
		}
		for _, n := range s.Notes[:min(len(s.Notes), 5)] {
			fmt.Fprintf(w, "  N=%d note: %s\n", s.N, n)
		}
	}
}

// printStep prints one step's main figures as it finishes.
func printStep(w io.Writer, s Step) {
	if w == nil {
		return
	}
	fmt.Fprintf(w, "N=%d: %d streams, server %.5f CPU-s/stream-s, %.2f MiB/stream, frames %d/%d, lost %d, stop→saved p99 %.0f ms, decode %d/%d, pass %v\n",
		s.N, s.Streams, s.ServerCPUPerStreamS, s.MiBPerStream, s.FramesWritten, s.FramesSent, s.PacketsLost,
		s.StopSavedP99Ms, s.Decoded-s.DecodeFailed, s.Decoded, s.Pass)
}
