package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
	"sync/atomic"
)

// HeaderAPIKey carries an optional API key on JSON and OGC API requests.
const HeaderAPIKey = "X-Api-Key"

// minAPIKeyLength keeps guessable keys out: a key is a secret handed to a
// partner, not a password typed by hand.
const minAPIKeyLength = 16

// APIKey is one valid key. Only its SHA-256 is kept, so the key itself is
// never in memory dumps of the config, logs or metrics: Label names it.
type APIKey struct {
	Label string
	hash  [sha256.Size]byte
}

// NewAPIKey checks a key and keeps its hash. Without a label, the label is
// the start of the hash ("key-1a2b3c4d"), which does not reveal the key.
// Errors name the key by its label, never by its value.
func NewAPIKey(key, label string) (APIKey, error) {
	label = strings.TrimSpace(label)
	name := "API key without a label"
	if label != "" {
		name = fmt.Sprintf("API key %q", label)
	}
	if len(key) < minAPIKeyLength {
		return APIKey{}, fmt.Errorf("%s: too short, want at least %d characters", name, minAPIKeyLength)
	}
	if key[0] == '#' {
		return APIKey{}, fmt.Errorf("%s: must not start with # (a comment in a keys file)", name)
	}
	for _, r := range key {
		if r <= ' ' || r > '~' || r == ',' {
			return APIKey{}, fmt.Errorf("%s: only printable ASCII without spaces or commas is allowed", name)
		}
	}
	k := APIKey{Label: label, hash: sha256.Sum256([]byte(key))}
	if k.Label == "" {
		k.Label = "key-" + hex.EncodeToString(k.hash[:4])
	}
	return k, nil
}

// ParseAPIKeys reads keys, one per entry: the key, then optionally
// whitespace and a label (the rest of the entry). Entries are lines (sep
// "\n": a keys file, where lines starting with # are comments) or
// comma-separated (sep ",": an environment variable). where names the
// source in errors, which never quote a key.
func ParseAPIKeys(text, sep, where string) ([]APIKey, error) {
	var keys []APIKey
	for n, entry := range strings.Split(text, sep) {
		entry = strings.TrimSpace(entry)
		if entry == "" || (sep == "\n" && strings.HasPrefix(entry, "#")) {
			continue
		}
		key, label, _ := strings.Cut(strings.Join(strings.Fields(entry), " "), " ")
		k, err := NewAPIKey(key, label)
		if err != nil {
			return nil, fmt.Errorf("%s, entry %d: %w", where, n+1, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// keyring is the set of valid keys, swapped whole on reload.
type keyring struct {
	keys atomic.Pointer[[]APIKey]
}

func (r *keyring) set(keys []APIKey) { r.keys.Store(&keys) }

// lookup finds the key presented by a client. The presented key is hashed
// and compared with every known hash in constant time, without stopping at
// a match: the time taken says nothing about how close a guess was.
func (r *keyring) lookup(presented string) (APIKey, bool) {
	h := sha256.Sum256([]byte(presented))
	keys := *r.keys.Load()
	found := -1
	for i := range keys {
		if subtle.ConstantTimeCompare(h[:], keys[i].hash[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return APIKey{}, false
	}
	return keys[found], true
}

// validateAPIKeys refuses the same key twice (two labels for one key
// would make its metrics and logs ambiguous).
func validateAPIKeys(keys []APIKey) error {
	seen := make(map[[sha256.Size]byte]string, len(keys))
	for _, k := range keys {
		if other, ok := seen[k.hash]; ok {
			return fmt.Errorf("api-keys: the same key is given twice (labels %q and %q)", other, k.Label)
		}
		seen[k.hash] = k.Label
	}
	return nil
}

// SetAPIKeys replaces the valid API keys (at SIGHUP, from the keys file);
// requests in flight keep the set they started with. A replacement counts
// as a reload in territoires_api_key_reloads_total{result="ok"}.
func (s *Server) SetAPIKeys(keys []APIKey) error {
	if err := validateAPIKeys(keys); err != nil {
		return err
	}
	s.guard.keys.set(keys)
	s.metrics.keyReloads.WithLabelValues("ok").Inc()
	labels := make([]string, len(keys))
	for i, k := range keys {
		labels[i] = k.Label
	}
	s.logger.Info("API keys loaded", "count", len(keys), "labels", labels)
	return nil
}

// APIKeysReloadFailed records a re-read of the keys that kept the current
// ones (an unreadable or invalid file, or keys SetAPIKeys refused): the
// log and territoires_api_key_reloads_total{result="failed"} report it.
func (s *Server) APIKeysReloadFailed(err error) {
	s.metrics.keyReloads.WithLabelValues("failed").Inc()
	s.logger.Error("API keys not reloaded, keeping the current ones", "err", err)
}
