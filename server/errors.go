package server

import (
	"errors"

	"github.com/gofiber/fiber/v2"
)

// errorBody is every error response: {"error": "..."}.
type errorBody struct {
	Error string `json:"error"`
}

// handleError is the one place where errors become HTTP statuses. A
// *fiber.Error carries a status and a message meant for the client; any
// other error is ours, logged, and answered 500 without details.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	var fe *fiber.Error
	if !errors.As(err, &fe) {
		s.logger.Error("internal error", "path", c.Path(), "err", err)
		fe = fiber.NewError(fiber.StatusInternalServerError, "internal error")
	}
	if fe.Code == fiber.StatusNotFound && fe.Message == "Cannot "+c.Method()+" "+c.Path() {
		fe = fiber.NewError(fiber.StatusNotFound, "no such route: "+c.Path())
	}
	c.Response().Header.Del(fiber.HeaderContentEncoding)
	c.Response().Header.Del(fiber.HeaderETag)
	c.Response().Header.Del(fiber.HeaderCacheControl)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fe.Code).JSON(errorBody{Error: fe.Message})
}
