package app

import "context"

// startRetention deletes submitted answers older than their interview's retention period.
func (a *App) startRetention(ctx context.Context) {}
