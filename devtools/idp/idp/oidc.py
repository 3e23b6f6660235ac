"""The ID token's claims: 姓名, 身份证号 or 统一社会信用代码, phone, 实名等级."""

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    # Every claim goes into the ID token whatever the scopes (a development provider).
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        user = request.user
        claims = {"preferred_username": user.get_username()}
        profile = getattr(user, "profile", None)
        if profile is None:
            return claims
        claims.update({"name": profile.name, "real_name_level": profile.real_name_level})
        for key in ("id_number", "uscc", "legal_rep_name", "legal_rep_id_number"):
            if getattr(profile, key):
                claims[key] = getattr(profile, key)
        if profile.phone:
            claims["phone_number"] = profile.phone
        return claims
