"""A bare Flask app for the throughput baseline: same gunicorn, no app logic."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/health")
def health():
    return jsonify(status="ok")


@app.get("/ping")
def ping():
    return jsonify(items=[], total=0, skip=0, limit=20)
