# The Hugging Face Space image: CPU-only PyTorch, a non-root user, Streamlit on app_port 8501.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PORT=8501
# CPU builds of torch and torchvision (the default ones bring gigabytes of CUDA libraries).
RUN pip install torch torchvision --index-url https://download.pytorch.org/whl/cpu

RUN useradd --create-home --uid 1000 user
WORKDIR /home/user/app
COPY --chown=user . .
RUN pip install -e .

USER user
# Weights download on first use into a folder the user owns (Spaces' persistent /data works too).
ENV HOME=/home/user RESNEXT_CACHE_DIR=/home/user/.cache/resnext
EXPOSE 8501
CMD ["bash", "scripts/start.sh", "--server.address=0.0.0.0"]
