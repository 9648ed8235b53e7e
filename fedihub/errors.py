"""The one exception tree of fedihub; imports nothing.

    FedihubError                 status 500
    ├── Invalid                  422  (names the field)
    ├── BadRequest               400
    ├── Unauthorized             401
    │   ├── BadSignature
    │   └── StaleSignature
    ├── Forbidden                403
    ├── NotFound                 404
    ├── Gone                     410
    ├── Conflict                 409
    ├── PayloadTooLarge          413
    ├── RateLimited              429
    ├── ConfigError              (start-up: bad settings, missing keys, unreachable database)
    └── RemoteError              502  (a peer misbehaved)
        ├── RemoteGone           (410 from the peer)
        ├── RemoteNotFound       (404 from the peer)
        ├── RemoteUnavailable    (timeout, refused, 5xx)
        └── RemoteForbidden      (address refused by SSRF rules)

Each error carries `status` and a `public` message that is safe to show to the client; the
cause stays in the log.
"""

from __future__ import annotations


class FedihubError(Exception):
    status: int = 500
    default_message = "internal error"

    def __init__(self, public: str | None = None, *, field: str | None = None) -> None:
        self.public = public or self.default_message
        self.field = field
        super().__init__(self.public)


class Invalid(FedihubError):
    status = 422
    default_message = "validation failed"


class BadRequest(FedihubError):
    status = 400
    default_message = "bad request"


class Unauthorized(FedihubError):
    status = 401
    default_message = "not authorised"


class BadSignature(Unauthorized):
    default_message = "bad signature"


class StaleSignature(BadSignature):
    default_message = "signature date outside the accepted window"


class Forbidden(FedihubError):
    status = 403
    default_message = "forbidden"


class NotFound(FedihubError):
    status = 404
    default_message = "record not found"


class Gone(FedihubError):
    status = 410
    default_message = "gone"


class Conflict(FedihubError):
    status = 409
    default_message = "conflict"


class PayloadTooLarge(FedihubError):
    status = 413
    default_message = "payload too large"


class RateLimited(FedihubError):
    status = 429
    default_message = "too many requests"


class ConfigError(FedihubError):
    default_message = "configuration error"


class RemoteError(FedihubError):
    status = 502
    default_message = "remote server error"


class RemoteGone(RemoteError):
    default_message = "remote object is gone"


class RemoteNotFound(RemoteError):
    default_message = "remote object not found"


class RemoteUnavailable(RemoteError):
    default_message = "remote server unavailable"


class RemoteForbidden(RemoteError):
    default_message = "remote address not allowed"
