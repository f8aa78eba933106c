# The site's part of herald.vcl: list every web process (gunicorn) here, add each to
# the director, and name who may PURGE (the machines running `herald worker`).
probe herald_health {
    .request = "GET /healthz HTTP/1.1"
        "Host: localhost"
        "Connection: close";
    .interval = 2s;
    .timeout = 3s;  # a busy machine may answer slowly; that is not down
    .window = 5;
    .threshold = 3;
}

backend web1 { .host = "10.0.0.11"; .port = "8000"; .probe = herald_health; }
backend web2 { .host = "10.0.0.12"; .port = "8000"; .probe = herald_health; }

acl purgers {
    "127.0.0.1";
    "10.0.0.0"/24;
}

sub herald_backends {
    new web = directors.round_robin();
    web.add_backend(web1);
    web.add_backend(web2);
}
