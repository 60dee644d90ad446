"""The framework's ceiling: the smallest Flask app, served like the app by benchmarks/run.py."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, world!"
