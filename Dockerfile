# One image for every mediatag program; the command picks which (see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY apps/cli/package.json apps/cli/
COPY apps/worker/package.json apps/worker/
COPY packages/ packages/
RUN find packages -mindepth 2 -not -name package.json -not -type d -delete && npm ci --omit=dev --no-audit --no-fund
COPY . .
USER node
ENTRYPOINT ["node", "apps/cli/bin/mediatag.js"]
CMD ["status"]
