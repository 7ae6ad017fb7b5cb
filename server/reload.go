package server

import (
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/territoires-industrie/carte/api"
)

// loadStatus is what /readyz tells about loads: when the served tileset
// was loaded, and the last reload that failed (the old data still served).
type loadStatus struct {
	mu          sync.Mutex
	loadedAt    time.Time
	lastError   string
	lastErrorAt time.Time
}

// loaded records a tileset swapped in.
func (s *Server) loaded(ts *Tileset) {
	now := time.Now()
	s.metrics.reloads.WithLabelValues("ok").Inc()
	s.metrics.lastLoadSuccess.Set(float64(now.UnixNano()) / 1e9)
	s.metrics.lastReloadOK.Set(1)
	s.metrics.storageUp.Set(1)
	s.loads.mu.Lock()
	s.loads.loadedAt = now
	s.loads.mu.Unlock()
}

func (s *Server) reloadFailed(err error) {
	s.metrics.reloads.WithLabelValues("failed").Inc()
	s.metrics.lastReloadOK.Set(0)
	s.loads.mu.Lock()
	s.loads.lastError, s.loads.lastErrorAt = err.Error(), time.Now()
	s.loads.mu.Unlock()
}

// storageChanged is told when the served archive's storage goes down or
// comes back.
func (s *Server) storageChanged(up bool, reason string) {
	if up {
		s.metrics.storageUp.Set(1)
		s.logger.Info("tile storage answers again", "detail", reason)
		return
	}
	s.metrics.storageUp.Set(0)
	s.logger.Error("tile storage unavailable: tiles answer 503 until it answers again", "err", reason)
}

// readyDetails are the fields of /readyz beyond its status: what is
// served since when, the last failed reload, the storage's state.
func (s *Server) readyDetails(ts *Tileset, cat *api.Catalog) fiber.Map {
	s.loads.mu.Lock()
	defer s.loads.mu.Unlock()
	d := fiber.Map{"version": ts.Version, "loaded_at": s.loads.loadedAt.UTC().Format(time.RFC3339)}
	if cat != nil {
		d["data_version"] = cat.Version
	}
	if s.loads.lastErrorAt.After(s.loads.loadedAt) {
		d["last_reload_error"] = fiber.Map{"error": s.loads.lastError, "at": s.loads.lastErrorAt.UTC().Format(time.RFC3339)}
	}
	storage := fiber.Map{"status": "ok"}
	if up, reason, since, _ := ts.storage.state(); !up {
		storage = fiber.Map{"status": "unavailable", "error": reason, "since": since.UTC().Format(time.RFC3339)}
	}
	d["storage"] = storage
	return d
}
