"""gunicorn's settings in production: `gunicorn -c deploy/gunicorn.conf.py 'webapp:create_app()'`.

Sync workers, and only behind the nginx of deploy/: nginx reads whole requests and whole answers
(slow clients wait there), so a worker is busy only while Python works. Options given on the
command line win over this file (deploy/local.py passes --bind and --workers).
"""

import multiprocessing
import os

# Loopback only: nginx is the only client. WEB_CONCURRENCY sets the number of workers.
bind = ["127.0.0.1:8000"]
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)
timeout = 30  # a request still running after 30 s: the worker is killed and replaced
graceful_timeout = 20
keepalive = 5
proc_name = "webapp"

# Only nginx on loopback may say the request came over HTTPS (it sets X-Forwarded-Proto and
# drops what the client sent); the app reads X-Forwarded-For (WEBAPP_PROXY_COUNT=1).
forwarded_allow_ips = "127.0.0.1,::1"
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# Access log to stdout (the journal), with the path and never the query string: a search
# (/nb/sok?q=…) is health data. %(U)s is the path alone; %(r)s and %(q)s would add the query,
# and %(f)s, the referrer, is the previous page's full address. nginx logs the client's address.
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = "info"
