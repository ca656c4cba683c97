"""gunicorn settings for Brygga in production (`gunicorn -c deploy/gunicorn.conf.py`).

The app keeps no state of its own, so any number of these servers may run behind the proxy.
"""

import os

bind = os.environ.get("BRYGGA_BIND", "127.0.0.1:8000")
# Two workers per core is gunicorn's usual advice for a database-bound app.
workers = int(os.environ.get("BRYGGA_WORKERS", str(2 * (os.cpu_count() or 1))))
threads = 1
# A PDF letter or a large export may take a while; anything longer is a fault.
timeout = 60
graceful_timeout = 30
# Restart workers now and then, so a slow leak never grows.
max_requests = 2000
max_requests_jitter = 200
# The proxy in front terminates TLS and sets X-Forwarded-Proto (deploy/nginx-brygga.conf).
forwarded_allow_ips = os.environ.get("BRYGGA_FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's access log shows paths with record ids, never names or numbers; the access log of
# personal data is Brygga's own (in the database).
accesslog = "-"
errorlog = "-"
