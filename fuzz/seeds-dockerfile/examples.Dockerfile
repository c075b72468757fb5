# Dockerfile for the shop api -- deliberately insecure, for scanner demos.
FROM python:latest

# Secrets baked into the image layers.
ENV DATABASE_URL=postgres://shop:hunter2@postgres.shop.svc:5432/shop
ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

# Remote content fetched without checksum verification.
ADD https://github.com/example/shop-assets/releases/download/v1.0/assets.tar.gz /tmp/assets.tar.gz

# Piping a remote script straight into a shell.
RUN curl -fsSL https://get.example.com/install.sh | sh

WORKDIR /app
COPY . /app
RUN pip install -r requirements.txt

EXPOSE 8080
# No USER instruction: the process runs as root.
CMD ["gunicorn", "--bind", "0.0.0.0:8080", "shop.api:app"]
