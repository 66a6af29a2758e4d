"""POST /session: the Mini App trades Telegram's initData for a short-lived session token,
which then works on every endpoint as an API key of its user would (read and write)."""

from bot.api.models import NewSession, Session
from bot.api.routing import ApiCall, Resource
from services.i18n import user_locale

resource = Resource("sessions", "Sign-in for the dashboard Mini App, with Telegram's initData.")


@resource.post("/session", body_model=NewSession, public=True)
async def create_session(call: ApiCall) -> Session:
    """A session token for Telegram's initData (validated as Telegram documents)"""
    created = await call.services.app_sessions.sign_in(call.body.init_data)
    user = created.user
    return Session.of(
        created,
        user.time_zone,
        locale=user_locale(chosen_language=user.chosen_language, language_code=user.language_code),
    )
