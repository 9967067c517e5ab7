package bench

import (
	"testing"
	"time"
)

// TestSampleProc reads this process's own figures: they must be there and plausible.
func TestSampleProc(t *testing.T) {
	s, err := sampleProc(0)
	if err != nil {
		t.Fatal(err)
	}
	if s.RSSKiB <= 0 || s.HWMKiB < s.RSSKiB || s.Threads <= 0 || s.FDs < 3 || s.CPU < 0 {
		t.Errorf("implausible sample %+v", s)
	}
	// Spin until the kernel has counted 50 ms of CPU for us; on a busy machine that takes
	// longer than 50 ms of wall time, so the bound is generous, but it must come.
	deadline := time.Now().Add(10 * time.Second)
	later := s
	for later.CPU < s.CPU+0.05 && time.Now().Before(deadline) {
		spin := time.Now().Add(10 * time.Millisecond)
		for time.Now().Before(spin) {
		}
		if later, err = sampleProc(0); err != nil {
			t.Fatal(err)
		}
	}
	if later.CPU < s.CPU+0.05 {
		t.Errorf("10 s of spinning counted as %.2f CPU-s", later.CPU-s.CPU)
	}
}

func TestSampleMachine(t *testing.T) {
	m, err := sampleMachine()
	if err != nil {
		t.Fatal(err)
	}
	if m.Total <= 0 || m.Busy > m.Total || m.IRQ > m.Busy {
		t.Errorf("implausible CPU times %+v", m)
	}
	if _, err := udpDrops(); err != nil {
		t.Error(err)
	}
	if d := describeMachine(); d.CPUs <= 0 || d.MemoryMiB <= 0 {
		t.Errorf("machine %+v", d)
	}
}
