package signaling

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/pion/webrtc/v4"
	"github.com/takes/takes/recorder"
	"github.com/takes/takes/storage"
)

// The recruiter's socket for recording a video question speaks the candidate's
// protocol where it applies (docs/protocol.md): the same offer, candidate, record
// and stop messages, and the same answer, candidate, media, recording, saved and
// error events. It differs in this:
//
//   - The welcome names the interview and the one question being recorded:
//     {"type":"welcome","interview":{"id","title"},"questions":[{"id","text","video","url"}],"limitMs"}.
//   - record's question is optional; when given it must be the socket's question.
//   - recording and saved carry no take number: a question has one video. saved's
//     url plays it to recruiters.
//   - remove-video deletes the question's video; answered with removed.
//   - A recording ends only by stop or by the time limit (reason "limit"). One cut
//     short by a lost connection is thrown away (error recording-lost), never saved
//     over the earlier video. So is one that failed in any way: the earlier video
//     is replaced only by a finished file, in one rename.
//   - Only one socket at a time records or removes a question's video; another gets
//     the error busy.

// QuestionStore is what the question recorder needs of the record store.
type QuestionStore interface {
	Interview(id string) (*storage.Interview, error)
	SetQuestionVideo(interviewID, questionID string, has bool) error
}

// QuestionMedia keeps the files of video questions. Committing a new file replaces
// the question's earlier video.
type QuestionMedia interface {
	CreateQuestionVideo(interview, question string) (storage.TakeFile, error)
	RemoveQuestionVideo(interview, question string) error
}

// QuestionVideoLimit is the longest a video question can be.
const QuestionVideoLimit = 5 * time.Minute

// QuestionVideoFileURL is where recruiters play a video question back.
func QuestionVideoFileURL(interview, question string) string {
	return fmt.Sprintf("/admin/interviews/%s/questions/%s/video/file", interview, question)
}

// Refusals of the question recorder, in addition to the candidate protocol's.
var (
	errBusy = &protocolError{"busy",
		"Someone else is recording this question's video right now. Wait until they have finished, then reload this page."}
	errRecordingLost = &protocolError{"recording-lost",
		"The connection to the camera dropped during the recording, so it was not kept. The earlier video, if any, is unchanged. Please record again."}
)

// QuestionRecorder serves the WebSocket on which a signed-in recruiter records the
// video of one question. The interview and question come from the path values
// "id" and "q"; the caller must have checked who may record.
type QuestionRecorder struct {
	h     *Handler // the recorder, log, limits and context that conn's socket and peer code read
	store QuestionStore
	media QuestionMedia

	mu   sync.Mutex
	busy map[string]bool // "interview/question" recorded or removed by some socket now
}

// NewQuestionRecorder returns the handler. Connections end when ctx is cancelled,
// throwing away a recording in progress; Wait then waits for them.
// opts.Submitted is not used.
func NewQuestionRecorder(ctx context.Context, store QuestionStore, media QuestionMedia, rec Recorder, log *slog.Logger, opts Options) *QuestionRecorder {
	return &QuestionRecorder{
		h:     NewHandler(ctx, nil, nil, rec, log, opts),
		store: store, media: media, busy: make(map[string]bool),
	}
}

// ServeHTTP checks that the interview and the question exist, upgrades, and runs the connection.
func (qr *QuestionRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	iv, q, err := qr.lookup(r.PathValue("id"), r.PathValue("q"))
	if err != nil {
		if !errors.Is(err, storage.ErrNotFound) {
			qr.h.log.Error("looking up a video question", slog.Any("err", err))
		}
		http.Error(w, "There is no such question in this interview.", http.StatusNotFound)
		return
	}
	ws, err := qr.h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		qr.h.log.Info("websocket upgrade failed", slog.Any("err", err))
		return // the upgrader has answered the request
	}
	qr.h.conns.Add(1)
	defer qr.h.conns.Done()
	ctx, cancel := context.WithCancel(qr.h.ctx)
	defer cancel()
	newQuestionConn(qr, ws, iv, q).run(ctx)
}

func (qr *QuestionRecorder) lookup(interviewID, questionID string) (*storage.Interview, storage.Question, error) {
	if !storage.ValidID(interviewID) || !storage.ValidID(questionID) {
		return nil, storage.Question{}, storage.ErrNotFound
	}
	iv, err := qr.store.Interview(interviewID)
	if err != nil {
		return nil, storage.Question{}, err
	}
	q, ok := iv.Question(questionID)
	if !ok {
		return nil, storage.Question{}, storage.ErrNotFound
	}
	return iv, q, nil
}

// Wait waits for every connection to end, after the handler's context is cancelled.
func (qr *QuestionRecorder) Wait() {
	qr.h.Wait()
}

// claim reserves a question's video for one socket; it reports false when another has it.
func (qr *QuestionRecorder) claim(key string) bool {
	qr.mu.Lock()
	defer qr.mu.Unlock()
	if qr.busy[key] {
		return false
	}
	qr.busy[key] = true
	return true
}

func (qr *QuestionRecorder) release(key string) {
	qr.mu.Lock()
	defer qr.mu.Unlock()
	delete(qr.busy, key)
}

// questionConn is one recruiter's socket. It drives a conn (socket reader and
// writer, peer connection, ICE) with its own loop and commands; its loop is the
// only goroutine that touches its state.
type questionConn struct {
	c        *conn
	qr       *QuestionRecorder
	iv       *storage.Interview // as it was when the socket opened
	question storage.Question
	rec      *questionTake // the recording in progress, if any
}

// questionTake is a recording in progress, on the session it was started on.
type questionTake struct {
	sess   *recorder.Session
	file   storage.TakeFile
	signal *takeSignal
}

func newQuestionConn(qr *QuestionRecorder, ws *websocket.Conn, iv *storage.Interview, q storage.Question) *questionConn {
	c := newConn(qr.h, ws, &storage.Invitation{}, iv, "")
	c.log = qr.h.log.With(slog.String("interview", iv.ID), slog.String("question", q.ID))
	return &questionConn{c: c, qr: qr, iv: iv, question: q}
}

func (qc *questionConn) key() string { return qc.iv.ID + "/" + qc.question.ID }

func (qc *questionConn) run(ctx context.Context) {
	c := qc.c
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); c.readLoop() }()
	go func() { defer wg.Done(); c.writeLoop() }()
	c.log.Info("recruiter connected to record a video question")
	defer func() {
		qc.cleanup()
		close(c.done)
		c.ws.Close()
		wg.Wait()
		c.log.Info("recruiter disconnected")
	}()
	c.send(qc.welcome())
	c.serve(ctx, qc)
}

func (qc *questionConn) recording() <-chan struct{} {
	if qc.rec == nil {
		return nil
	}
	return qc.rec.signal.notify
}

// stopped needs nothing more: cleanup, when the loop returns, throws away a recording.
func (qc *questionConn) stopped(error) {}

// cleanup runs when the connection ends: a recording in progress is thrown away.
func (qc *questionConn) cleanup() {
	if qc.rec != nil {
		qc.finish(storage.EndCut)
	}
	qc.c.cleanup()
}

type questionWelcome struct {
	Type      string              `json:"type"`
	Interview interviewRef        `json:"interview"`
	Questions []questionVideoInfo `json:"questions"`
	LimitMs   int64               `json:"limitMs"`
}

type interviewRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type questionVideoInfo struct {
	ID    string `json:"id"`
	Text  string `json:"text"`
	Video bool   `json:"video"`
	URL   string `json:"url,omitempty"` // set when the question has a video
}

func (qc *questionConn) welcome() questionWelcome {
	q := qc.question
	info := questionVideoInfo{ID: q.ID, Text: q.Text, Video: q.Video}
	if q.Video {
		info.URL = QuestionVideoFileURL(qc.iv.ID, q.ID)
	}
	return questionWelcome{
		Type: "welcome", Interview: interviewRef{ID: qc.iv.ID, Title: qc.iv.Title},
		Questions: []questionVideoInfo{info}, LimitMs: QuestionVideoLimit.Milliseconds(),
	}
}

// handle decodes one message and runs its command.
func (qc *questionConn) handle(data []byte) {
	var m inMessage
	if err := json.Unmarshal(data, &m); err != nil {
		qc.c.refuse(errBadMessage, "")
		return
	}
	if err := qc.command(&m); err != nil {
		pe := toProtocol(err)
		if pe == errInternal || pe == errWriteFailed {
			qc.c.log.Error("command failed", slog.String("type", m.Type), slog.Any("err", err))
		}
		qc.c.refuse(pe, m.Type)
	}
}

func (qc *questionConn) command(m *inMessage) error {
	switch m.Type {
	case "offer":
		return qc.offer(m.SDP)
	case "candidate":
		return qc.c.candidate(m.Candidate)
	case "record":
		return qc.record(m.Question)
	case "stop":
		return qc.stop()
	case "remove-video":
		return qc.removeVideo(m.Question)
	}
	return errUnknownType
}

// offer applies an offer through conn, which may replace the peer connection: a
// recording on the replaced one has lost its media and is thrown away.
func (qc *questionConn) offer(sdp string) error {
	if qc.rec != nil && qc.rec.sess.Broken() {
		qc.finish(storage.EndCut)
	}
	err := qc.c.offer(sdp)
	if qc.rec != nil && qc.rec.sess != qc.c.sess {
		qc.finish(storage.EndCut)
	}
	return err
}

// checkQuestion checks a command's question against the socket's, and that the
// question is still in the interview.
func (qc *questionConn) checkQuestion(question string) error {
	if question != "" && question != qc.question.ID {
		return errUnknownQuestion
	}
	_, _, err := qc.qr.lookup(qc.iv.ID, qc.question.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return errUnknownQuestion
	}
	return err
}

func (qc *questionConn) record(question string) error {
	if err := qc.checkQuestion(question); err != nil {
		return err
	}
	if qc.rec != nil {
		return errAlreadyRecording
	}
	sess := qc.c.sess
	if sess == nil || !sess.Ready() {
		return errNoMedia
	}
	if !qc.qr.claim(qc.key()) {
		return errBusy
	}
	if err := qc.start(sess); err != nil {
		qc.qr.release(qc.key())
		return err
	}
	qc.c.log.Info("video question armed")
	return nil
}

// start opens a new file for the question's video and starts the recorder on it.
func (qc *questionConn) start(sess *recorder.Session) error {
	f, err := qc.qr.media.CreateQuestionVideo(qc.iv.ID, qc.question.ID)
	if err != nil {
		qc.c.log.Error("creating video question file", slog.Any("err", err))
		return errWriteFailed
	}
	sig := newTakeSignal()
	if err := sess.StartTake(f, sig, QuestionVideoLimit); err != nil {
		f.Abort()
		return err
	}
	qc.rec = &questionTake{sess: sess, file: f, signal: sig}
	return nil
}

type questionRecordingMsg struct {
	Type     string `json:"type"`
	Question string `json:"question"`
	LimitMs  int64  `json:"limitMs"`
}

type questionSavedMsg struct {
	Type       string `json:"type"`
	Question   string `json:"question"`
	DurationMs int64  `json:"durationMs"`
	Bytes      int64  `json:"bytes"`
	URL        string `json:"url"`
	Reason     string `json:"reason"`
}

// takeNews reports what the media goroutines said about the recording.
func (qc *questionConn) takeNews() {
	r := qc.rec
	if r.signal.failed.Load() != nil {
		qc.finish(storage.EndStop) // reports the write error and throws the file away
		return
	}
	if r.signal.started.Load() && !r.signal.reported {
		r.signal.reported = true
		qc.c.send(questionRecordingMsg{Type: "recording", Question: qc.question.ID, LimitMs: QuestionVideoLimit.Milliseconds()})
	}
	if r.signal.limited.Load() {
		qc.finish(storage.EndLimit)
	}
}

func (qc *questionConn) stop() error {
	if qc.rec == nil {
		return errNotRecording
	}
	qc.finish(storage.EndStop)
	return nil
}

// finish ends the recording. A complete one (stop or limit) replaces the question's
// video and the browser hears "saved"; any other is thrown away and the browser
// hears why, the earlier video untouched.
func (qc *questionConn) finish(end storage.TakeEnd) {
	r := qc.rec
	qc.rec = nil
	// The question is free again before the browser hears how it ended, so a
	// recruiter who hears "saved" can record again at once.
	release := sync.OnceFunc(func() { qc.qr.release(qc.key()) })
	defer release()
	res, err := r.sess.StopTake()
	if end == storage.EndCut {
		err = errRecordingLost
	}
	if err == nil {
		err = r.file.Commit() // one rename: the earlier video stays whole until then
	}
	if err != nil {
		r.file.Abort()
		release()
		qc.refuseRecording(err)
		return
	}
	if err := qc.qr.store.SetQuestionVideo(qc.iv.ID, qc.question.ID, true); err != nil {
		qc.videoNotRecorded(err)
		return
	}
	qc.c.log.Info("video question saved", slog.Int64("ms", res.Duration.Milliseconds()),
		slog.Int64("bytes", res.Bytes), slog.String("end", string(end)))
	release()
	qc.c.send(questionSavedMsg{Type: "saved", Question: qc.question.ID, DurationMs: res.Duration.Milliseconds(),
		Bytes: res.Bytes, URL: QuestionVideoFileURL(qc.iv.ID, qc.question.ID), Reason: string(end)})
}

// refuseRecording tells the browser why its recording was not kept.
func (qc *questionConn) refuseRecording(err error) {
	pe := errWriteFailed
	switch {
	case errors.Is(err, recorder.ErrEmptyTake):
		pe = errEmptyTake
	case errors.Is(err, errRecordingLost):
		pe = errRecordingLost
		qc.c.log.Info("video question cut short; thrown away")
	default:
		qc.c.log.Error("video question failed", slog.Any("err", err))
	}
	qc.c.refuse(pe, "")
}

// videoNotRecorded handles a saved file whose question could not be marked as
// having a video: a question removed meanwhile loses the file again.
func (qc *questionConn) videoNotRecorded(err error) {
	if !errors.Is(err, storage.ErrNotFound) {
		qc.c.log.Error("marking the question as having a video", slog.Any("err", err))
		qc.c.refuse(errWriteFailed, "")
		return
	}
	if err := qc.qr.media.RemoveQuestionVideo(qc.iv.ID, qc.question.ID); err != nil {
		qc.c.log.Error("removing the video of a removed question", slog.Any("err", err))
	}
	qc.c.refuse(errUnknownQuestion, "")
}

// peerState throws away a recording whose peer connection failed or closed.
func (qc *questionConn) peerState(ps peerState) {
	qc.c.log.Debug("peer connection", slog.String("state", ps.state.String()))
	if qc.rec == nil || ps.sess != qc.rec.sess {
		return
	}
	if ps.state == webrtc.PeerConnectionStateFailed || ps.state == webrtc.PeerConnectionStateClosed {
		qc.finish(storage.EndCut)
	}
}

// removeVideo deletes the question's video: first the flag, so candidates never
// look for a missing file, then the file.
func (qc *questionConn) removeVideo(question string) error {
	if err := qc.checkQuestion(question); err != nil {
		return err
	}
	if qc.rec != nil {
		return errAlreadyRecording
	}
	if !qc.qr.claim(qc.key()) {
		return errBusy
	}
	release := sync.OnceFunc(func() { qc.qr.release(qc.key()) })
	defer release()
	err := qc.qr.store.SetQuestionVideo(qc.iv.ID, qc.question.ID, false)
	if errors.Is(err, storage.ErrNotFound) {
		return errUnknownQuestion
	}
	if err != nil {
		return err
	}
	if err := qc.qr.media.RemoveQuestionVideo(qc.iv.ID, qc.question.ID); err != nil {
		// The question no longer shows the file; the next recording replaces it.
		qc.c.log.Error("removing video question file", slog.Any("err", err))
	}
	qc.c.log.Info("video question removed")
	release() // before the browser hears it
	qc.c.send(removedMsg{Type: "removed", Question: qc.question.ID})
	return nil
}
