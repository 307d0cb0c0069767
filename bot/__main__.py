"""`python -m bot`: run the Telegram front end."""
from bot.app import main

if __name__ == "__main__":
    main()
