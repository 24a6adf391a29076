"""The problem book: teachers write problems, moderators approve them, students solve them."""
