"""POST /session: the Mini App trades Telegram's initData for a short-lived session token,
which then works on every endpoint as an API key of its user would (read and write)."""

from bot.api.channels import local
from bot.api.models import NewSession, Session, SessionUser
from bot.api.routing import ApiCall, Resource
from services.i18n import user_locale

resource = Resource("sessions", "Sign-in for the dashboard Mini App, with Telegram's initData.")


@resource.post(
    "/session",
    summary="A session token for Telegram's initData (validated as Telegram documents)",
    response=Session,
    body_model=NewSession,
    public=True,
)
async def create_session(call: ApiCall) -> Session:
    created = await call.services.app_sessions.sign_in(call.body.init_data)
    user = created.user
    return Session(
        token=created.token,
        expires_at=local(created.expires_at, user.time_zone),
        user=SessionUser(id=user.id, first_name=user.first_name),
        locale=user_locale(chosen_language=user.chosen_language, language_code=user.language_code),
        time_zone=user.time_zone,
    )
