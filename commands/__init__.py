"""One module per `policy` command; cli.py assembles them."""
