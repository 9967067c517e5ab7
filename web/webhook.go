package web

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/takes/takes/storage"
	"github.com/takes/takes/webhook"
)

// webhookPage is the data of an interview's webhook settings.
type webhookPage struct {
	page
	Interview *storage.Interview
	URL       string // what is in the URL field
	Secret    string // a new secret, shown once
}

func (s *Server) webhookRoutes(mux *http.ServeMux) {
	const base = "/admin/interviews/{id}/webhook"
	mux.Handle("GET "+base, s.requireUser(s.webhookSettings, storage.RoleAdmin))
	mux.Handle("POST "+base, s.requireUser(s.saveWebhook, storage.RoleAdmin))
	mux.Handle("POST "+base+"/secret", s.requireUser(s.newWebhookSecret, storage.RoleAdmin))
	mux.Handle("POST "+base+"/test", s.requireUser(s.testWebhook, storage.RoleAdmin))
	mux.Handle("POST "+base+"/remove", s.requireUser(s.removeWebhook, storage.RoleAdmin))
}

func (s *Server) newWebhookPage(r *http.Request, iv *storage.Interview) webhookPage {
	p := webhookPage{page: s.pageFor(r, "Webhook of "+iv.Title), Interview: iv}
	if iv.Webhook != nil {
		p.URL = iv.Webhook.URL
	}
	return p
}

// webhookSettings shows the interview's webhook, or a form to set one.
func (s *Server) webhookSettings(w http.ResponseWriter, r *http.Request) {
	if iv, ok := s.pathInterview(w, r); ok {
		s.render(w, http.StatusOK, "webhook", s.newWebhookPage(r, iv))
	}
}

// saveWebhook sets the webhook's URL. A new webhook gets a secret, shown once;
// a changed URL keeps the secret the receiver already has.
func (s *Server) saveWebhook(w http.ResponseWriter, r *http.Request) {
	iv, ok := s.pathInterview(w, r)
	if !ok {
		return
	}
	data := s.newWebhookPage(r, iv)
	data.URL = strings.TrimSpace(r.PostFormValue("url"))
	if msg := webhook.CheckURL(data.URL); msg != "" {
		data.Error = msg
		s.render(w, http.StatusUnprocessableEntity, "webhook", data)
		return
	}
	wh := storage.Webhook{URL: data.URL}
	if iv.Webhook != nil {
		wh.Secret = iv.Webhook.Secret
	} else {
		wh.Secret = webhook.NewSecret()
		data.Secret = wh.Secret
	}
	s.storeWebhook(w, r, data, &wh, "The webhook is saved. Each new submission is sent to "+wh.URL+".")
}

// newWebhookSecret replaces the webhook's secret and shows the new one, once.
func (s *Server) newWebhookSecret(w http.ResponseWriter, r *http.Request) {
	iv, ok := s.pathInterview(w, r)
	if !ok {
		return
	}
	data := s.newWebhookPage(r, iv)
	if iv.Webhook == nil {
		data.Error = "This interview has no webhook yet. Enter its URL first."
		s.render(w, http.StatusConflict, "webhook", data)
		return
	}
	wh := storage.Webhook{URL: iv.Webhook.URL, Secret: webhook.NewSecret()}
	data.Secret = wh.Secret
	s.storeWebhook(w, r, data, &wh, "The webhook has a new secret. Events are signed with it from now on; the old one no longer verifies.")
}

// removeWebhook stops announcing the interview's submissions.
func (s *Server) removeWebhook(w http.ResponseWriter, r *http.Request) {
	iv, ok := s.pathInterview(w, r)
	if !ok {
		return
	}
	data := s.newWebhookPage(r, iv)
	data.URL = ""
	s.storeWebhook(w, r, data, nil, "The webhook is removed. Submissions are no longer sent anywhere.")
}

// storeWebhook stores wh as the interview's webhook and shows the page with notice.
func (s *Server) storeWebhook(w http.ResponseWriter, r *http.Request, data webhookPage, wh *storage.Webhook, notice string) {
	if err := s.store.SetWebhook(data.Interview.ID, wh); err != nil {
		s.serverError(w, r, "set webhook", err)
		return
	}
	data.Interview.Webhook = wh
	s.log.Info("webhook set", slog.String("interview", data.Interview.ID), slog.String("by", userFrom(r).Email),
		slog.Bool("removed", wh == nil))
	data.Notice = notice
	s.render(w, http.StatusOK, "webhook", data)
}

// testWebhook sends a test event now and says how the receiver answered.
func (s *Server) testWebhook(w http.ResponseWriter, r *http.Request) {
	iv, ok := s.pathInterview(w, r)
	if !ok {
		return
	}
	data := s.newWebhookPage(r, iv)
	if iv.Webhook == nil {
		data.Error = "This interview has no webhook yet. Enter its URL first."
		s.render(w, http.StatusConflict, "webhook", data)
		return
	}
	ev := webhook.Event{Event: webhook.EventTest, InterviewID: iv.ID}
	err := webhook.Send(r.Context(), webhook.NewClient(), *iv.Webhook, storage.NewID(), ev, time.Now())
	if err != nil {
		s.log.Warn("webhook test failed", slog.String("interview", iv.ID), slog.Any("err", err))
		data.Error = "The test event was not accepted: " + strings.TrimPrefix(err.Error(), "webhook: ") +
			". Check the URL and that the receiver answers with a 2xx status; redirects are not followed."
		s.render(w, http.StatusOK, "webhook", data)
		return
	}
	data.Notice = "The test event was sent, and the receiver accepted it."
	s.render(w, http.StatusOK, "webhook", data)
}
