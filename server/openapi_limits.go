package server

// documentLimits adds the abuse protections to the OpenAPI document: the
// optional X-Api-Key scheme of the API routes, their 401, and the 429 of
// every rate-limited route.
func documentLimits(doc obj, l Limits) {
	tooMany := obj{
		"description": "Rate limit reached; the message names it. Retry after the Retry-After delay.",
		"headers":     obj{"Retry-After": obj{"description": "seconds until the client's window ends", "schema": obj{"type": "integer"}}},
		"content":     content(mediaJSON, ref("Error")),
	}
	unknownKey := obj{
		"description": "Unknown " + HeaderAPIKey + " (send no key to use the anonymous limits).",
		"content":     content(mediaJSON, ref("Error")),
	}
	for path, item := range doc["paths"].(obj) {
		op, ok := item.(obj)["get"].(obj)
		if !ok {
			continue
		}
		resps := op["responses"].(obj)
		switch classify(path) {
		case classAPI:
			// Either no key (anonymous) or a valid key.
			op["security"] = []obj{{}, {"ApiKey": []string{}}}
			resps["401"] = unknownKey
			if l.API > 0 || l.APIKey > 0 {
				resps["429"] = tooMany
			}
		case classTiles:
			if l.Tiles > 0 {
				resps["429"] = tooMany
			}
		}
	}
	doc["components"].(obj)["securitySchemes"] = obj{"ApiKey": obj{
		"type": "apiKey", "in": "header", "name": HeaderAPIKey,
		"description": "Optional: a key given by the operator raises the API rate limit; without it the anonymous limits apply.",
	}}
}
