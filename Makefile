# The two commands a newcomer needs: `make run` and `make test`. The rest are for development.
.PHONY: run test setup train validate nlu-eval seed migrate benchmark benchmark-campaign benchmark-banking77

run:        ## install what is missing, train if needed, start everything (local chat without a token)
	bash scripts/run.sh $(ARGS)

test:       ## all tests: unit, data validation, end to end through the Bot API simulator
	bash scripts/test.sh

setup:      ## create the two virtual environments
	bash scripts/setup.sh

train:      ## train the Rasa model if the data changed
	bash scripts/train.sh

validate:   ## rasa data validate
	bash -c 'source scripts/env.sh && $$RASA data validate --domain config/domain --data nlu_data --config config/config.yml'

nlu-eval:   ## 5-fold cross-validation, intent F1 per language (a few minutes)
	bash scripts/nlu_eval.sh

migrate:    ## apply database migrations to DATABASE_URL
	bash -c 'source scripts/env.sh && $$APP_PY -m claims.migrate'

seed:       ## load the demo data (add ARGS=--reset to start over)
	bash -c 'source scripts/env.sh && $$APP_PY -m claims.seed $(ARGS)'

benchmark:  ## figures for the agents' console: handover, burst, relay latency (about 2 minutes)
	bash -c 'source scripts/env.sh && bash scripts/setup.sh >/dev/null && bash scripts/train.sh >/dev/null && $$APP_PY -m benchmarks.agent_desk $(ARGS)'

benchmark-campaign:  ## the campaign sender's rate against Telegram's limits, 10,000 customers (about 6 minutes)
	bash -c 'source scripts/env.sh && bash scripts/setup.sh >/dev/null && $$APP_PY -m benchmarks.campaign_rate $(ARGS)'

benchmark-banking77:  ## the NLU pipeline on PolyAI's BANKING77 (77 intents, 3,080 test queries; about 4 minutes; ARGS="--data DIR" or "--git-dir PATH")
	bash -c 'source scripts/env.sh && bash scripts/setup.sh >/dev/null && mkdir -p results && nice -n $${NICE:-10} "$$RASA_VENV/bin/python" benchmarks/banking77.py $(ARGS) 2>results/banking77.log || { tail -20 results/banking77.log >&2; exit 1; }'
