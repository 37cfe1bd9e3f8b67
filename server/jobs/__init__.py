"""Background jobs: long work (imports now; print jobs, the orders import, count lists next) off the request.

The job's state lives in our database (the `jobs` table: any gunicorn worker on either database shows its
progress); Huey only carries a job id from the web process to the one consumer per deployment
(`flask --app wsgi jobs worker`). See services.py for the lifecycle and queue.py for the transport.
"""
