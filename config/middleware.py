"""The back office's middleware, skipped by the public API.

Sessions, CSRF, users, second factors, messages and CSP cost every request
a few hundred microseconds that the API, authenticated by its own keys and
answering JSON, never uses. ``BackOfficeStack`` stands in ``MIDDLEWARE``
for the list ``BACKOFFICE_MIDDLEWARE``: it runs that list, in its order,
for every path but the API's (``API_PATH_PREFIXES``), and hands API
requests straight to the rest of the chain.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.utils.module_loading import import_string


class BackOfficeStack:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.API_PATH_PREFIXES)
        handler = get_response
        view_hooks = []
        for path in reversed(settings.BACKOFFICE_MIDDLEWARE):
            try:
                middleware = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            # Django calls these hooks only on the middleware it lists
            # itself: one here would be silently dropped.
            for hook in ("process_exception", "process_template_response"):
                if hasattr(middleware, hook):
                    raise ImproperlyConfigured(
                        f"{path} has {hook}: list it in MIDDLEWARE, not in "
                        "BACKOFFICE_MIDDLEWARE"
                    )
            if hasattr(middleware, "process_view"):
                view_hooks.insert(0, middleware.process_view)
            handler = middleware
        self.backoffice = handler
        self.view_hooks = view_hooks

    def _is_api(self, request) -> bool:
        return request.path_info.startswith(self.prefixes)

    def __call__(self, request):
        if self._is_api(request):
            response = self.get_response(request)
            # CommonMiddleware does this for the back office; without it
            # the server would answer chunked.
            if not response.streaming and not response.has_header("Content-Length"):
                response.headers["Content-Length"] = str(len(response.content))
            return response
        return self.backoffice(request)

    def process_view(self, request, view, args, kwargs):
        """The back office's view hooks (CSRF), in their order."""
        if self._is_api(request):
            return None
        for hook in self.view_hooks:
            response = hook(request, view, args, kwargs)
            if response is not None:
                return response
        return None
