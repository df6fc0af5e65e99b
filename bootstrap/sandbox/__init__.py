"""The embedded sandbox: moto's server on 127.0.0.1, so anyone can run the whole journey with no AWS account."""
