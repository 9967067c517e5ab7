package loadgen

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"
)

// Pacing says how the peers' media is paced.
type Pacing string

// The pacings. Both send each peer's frames on the same schedule (30 fps video, 20 ms Opus packets, each
// peer at its own phase); they differ in what wakes up to send them.
const (
	// PacingShared sends the media of all peers from one goroutine per CPU, each waking every
	// SharedTick and sending what has come due for its share of the peers.
	PacingShared Pacing = "shared"
	// PacingTicker gives each peer a goroutine with a ticker per track, as a browser has an encoder
	// thread per track.
	PacingTicker Pacing = "ticker"
)

// SharedTick is how often the shared pacer's goroutines wake: frames leave up to this late. It is short
// so that the peers' packets reach the server almost as independently as browsers' do: with a 5 ms
// tick, every peer of a shard sent in the same instants, and the server, handed its packets in bursts,
// spent about a fifth less CPU than with one ticker per peer (docs/performance.md).
const SharedTick = time.Millisecond

// pacer sends the media of the senders it holds. add and remove may be called from any goroutine;
// after remove returns, the pacer no longer touches the sender.
type pacer interface {
	add(s *sender)
	remove(s *sender)
	stop()
}

func newPacer(p Pacing) (pacer, error) {
	switch p {
	case PacingShared, "":
		return newSharedPacer(runtime.GOMAXPROCS(0), SharedTick), nil
	case PacingTicker:
		return &tickerPacer{stops: make(map[*sender]chan struct{}), ended: make(map[*sender]chan struct{})}, nil
	}
	return nil, fmt.Errorf("loadgen: unknown pacing %q (want shared or ticker)", p)
}

// sharedPacer is a few goroutines, each sending for a shard of the senders on a common tick.
type sharedPacer struct {
	shards []*shard
	wg     sync.WaitGroup
	done   chan struct{}

	mu    sync.Mutex
	where map[*sender]*shard
}

type shard struct {
	n int // senders, counted under sharedPacer.mu

	mu      sync.Mutex
	senders []*sender
}

func newSharedPacer(n int, tick time.Duration) *sharedPacer {
	p := &sharedPacer{done: make(chan struct{}), where: make(map[*sender]*shard)}
	for range n {
		sh := &shard{}
		p.shards = append(p.shards, sh)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			sh.run(tick, p.done)
		}()
	}
	return p
}

func (sh *shard) run(tick time.Duration, done <-chan struct{}) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case now := <-t.C:
			sh.mu.Lock()
			for _, s := range sh.senders {
				s.due(now)
			}
			sh.mu.Unlock()
		}
	}
}

// add gives the sender to the shard that has the fewest.
func (p *sharedPacer) add(s *sender) {
	p.mu.Lock()
	if p.where[s] != nil {
		p.mu.Unlock()
		return
	}
	sh := slices.MinFunc(p.shards, func(a, b *shard) int { return cmp.Compare(a.n, b.n) })
	sh.n++
	p.where[s] = sh
	p.mu.Unlock()

	sh.mu.Lock()
	defer sh.mu.Unlock()
	s.start(time.Now())
	sh.senders = append(sh.senders, s)
}

func (p *sharedPacer) remove(s *sender) {
	p.mu.Lock()
	sh := p.where[s]
	delete(p.where, s)
	if sh != nil {
		sh.n--
	}
	p.mu.Unlock()
	if sh == nil {
		return
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.senders = slices.DeleteFunc(sh.senders, func(x *sender) bool { return x == s })
}

func (p *sharedPacer) stop() {
	close(p.done)
	p.wg.Wait()
}

// tickerPacer runs one goroutine per sender.
type tickerPacer struct {
	mu    sync.Mutex
	stops map[*sender]chan struct{} // closed to stop the sender's goroutine
	ended map[*sender]chan struct{} // closed by the goroutine when it returns
	wg    sync.WaitGroup
}

func (p *tickerPacer) add(s *sender) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.stops[s]; ok {
		return
	}
	stop, ended := make(chan struct{}), make(chan struct{})
	p.stops[s], p.ended[s] = stop, ended
	s.start(time.Now())
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(ended)
		runTickers(s, stop)
	}()
}

// runTickers sends a sender's media on two tickers, one per track, until stop is closed.
func runTickers(s *sender, stop <-chan struct{}) {
	// Start each ticker at the sender's phase.
	select {
	case <-time.After(time.Until(s.nextAudio)):
	case <-stop:
		return
	}
	audio := time.NewTicker(audioDur)
	defer audio.Stop()
	select {
	case <-time.After(time.Until(s.nextVideo)):
	case <-stop:
		return
	}
	video := time.NewTicker(s.m.frameDur)
	defer video.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-video.C:
			s.due(now)
		case now := <-audio.C:
			s.due(now)
		}
	}
}

func (p *tickerPacer) remove(s *sender) {
	p.mu.Lock()
	stop, ok := p.stops[s]
	ended := p.ended[s]
	delete(p.stops, s)
	delete(p.ended, s)
	p.mu.Unlock()
	if ok {
		close(stop)
		<-ended
	}
}

func (p *tickerPacer) stop() {
	p.mu.Lock()
	for s, stop := range p.stops {
		close(stop)
		delete(p.stops, s)
	}
	p.mu.Unlock()
	p.wg.Wait()
}
