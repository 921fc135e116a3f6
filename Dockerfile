# One image for every mediatag program; the command picks which (see docker-compose.yml).
# The build stage bundles and packs the CLI (`npm run pack:cli`); the image installs that
# tarball alone, so it runs compiled JavaScript: no tsx, no sources, no dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN npm ci --ignore-scripts --no-audit --no-fund && npm run pack:cli -- --out /out

FROM node:20-bookworm-slim
ENV NODE_ENV=production
COPY --from=build /out/ /tmp/mediatag/
RUN npm install -g --offline --no-audit --no-fund /tmp/mediatag/mediatag-*.tgz \
  && rm -rf /tmp/mediatag /root/.npm
USER node
ENTRYPOINT ["mediatag"]
CMD ["status"]
