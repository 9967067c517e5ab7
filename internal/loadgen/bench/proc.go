package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// clockTicks is the kernel's USER_HZ, the unit of CPU times in /proc: 100 on every Linux build Go
// supports (reading it would need sysconf, so cgo).
const clockTicks = 100

// procSample is what /proc says of one process at one moment.
type procSample struct {
	At      time.Time
	CPU     float64 // user + system CPU seconds since the process started
	RSSKiB  int64
	HWMKiB  int64 // peak RSS
	Threads int
	FDs     int
}

// sampleProc reads /proc/<pid>/stat, status and fd; pid 0 means this process.
func sampleProc(pid int) (procSample, error) {
	dir := "/proc/self"
	if pid != 0 {
		dir = "/proc/" + strconv.Itoa(pid)
	}
	s := procSample{At: time.Now()}
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return s, err
	}
	// The command name, in parentheses, may hold spaces: the fields are counted after its end.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return s, errors.New("bench: unreadable /proc stat")
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return s, errors.New("bench: short /proc stat")
	}
	// After the name come state (field 3), … utime (14) and stime (15).
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	s.CPU = float64(utime+stime) / clockTicks
	status, err := os.ReadFile(dir + "/status")
	if err != nil {
		return s, err
	}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		n, _ := strconv.ParseInt(strings.Fields(v + " 0")[0], 10, 64)
		switch k {
		case "VmRSS":
			s.RSSKiB = n
		case "VmHWM":
			s.HWMKiB = n
		case "Threads":
			s.Threads = int(n)
		}
	}
	fds, err := os.ReadDir(dir + "/fd")
	if err != nil {
		return s, err
	}
	s.FDs = len(fds)
	return s, nil
}

// kernelThreadsCPU returns the CPU seconds used so far by the kernel's threads (the children of
// kthreadd, pid 2): under load, ksoftirqd moves packets there, and that is not another program's work.
func kernelThreadsCPU() float64 {
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var total float64
	for _, d := range dirs {
		if _, err := strconv.Atoi(d.Name()); err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		i := bytes.LastIndexByte(stat, ')')
		if err != nil || i < 0 {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 13 || f[1] != "2" {
			continue
		}
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		total += float64(utime+stime) / clockTicks
	}
	return total
}

// cpuTimes are the machine's CPU times from /proc/stat, in seconds over all CPUs. Busy includes IRQ
// and SoftIRQ, the kernel's packet handling that no process is charged for; Steal is time the
// hypervisor gave to other machines.
type cpuTimes struct {
	Busy, IRQ, Steal, Total float64
}

func sampleMachine() (cpuTimes, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTimes{}, err
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return cpuTimes{}, errors.New("bench: unreadable /proc/stat")
	}
	var t cpuTimes
	// user nice system idle iowait irq softirq steal; the guest times after them are counted in user.
	for i, v := range f[1:min(len(f), 9)] {
		n, _ := strconv.ParseFloat(v, 64)
		t.Total += n / clockTicks
		switch i {
		case 3, 4:
		case 7:
			t.Steal += n / clockTicks
		case 5, 6:
			t.IRQ += n / clockTicks
			t.Busy += n / clockTicks
		default:
			t.Busy += n / clockTicks
		}
	}
	return t, nil
}

// Machine describes the computer the bench ran on.
type Machine struct {
	Uname     string `json:"uname"`
	CPUs      int    `json:"cpus"`
	CPUModel  string `json:"cpuModel"`
	MemoryMiB int64  `json:"memoryMiB"`
	GoVersion string `json:"goVersion"`
}

func describeMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version()}
	if out, err := runOutput("uname", "-a"); err == nil {
		m.Uname = strings.TrimSpace(out)
	}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(data)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kib int64
		fmt.Sscanf(string(data), "MemTotal: %d kB", &kib)
		m.MemoryMiB = kib / 1024
	}
	return m
}

// udpDrops returns how many UDP datagrams the kernel has dropped since it started because a socket's
// receive buffer was full (RcvbufErrors in /proc/net/snmp), over the whole machine.
func udpDrops() (int64, error) {
	data, err := os.ReadFile("/proc/net/snmp")
	if err != nil {
		return 0, err
	}
	var names []string
	for line := range strings.Lines(string(data)) {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != "Udp:" {
			continue
		}
		if names == nil {
			names = f
			continue
		}
		for i, name := range names {
			if name == "RcvbufErrors" && i < len(f) {
				return strconv.ParseInt(f[i], 10, 64)
			}
		}
	}
	return 0, errors.New("bench: no UDP RcvbufErrors in /proc/net/snmp")
}
