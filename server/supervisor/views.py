from flask import Blueprint

bp = Blueprint("supervisor", __name__)


@bp.get("/dashboard")
def dashboard():
    return "supervisor"
