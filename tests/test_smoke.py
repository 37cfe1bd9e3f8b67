def test_healthz_answers_ok_on_each_backend(client, backend):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json == {"status": "ok"}
