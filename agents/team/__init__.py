"""The agent team: tasks, typed step events, the loop and its four roles, prompts, web research."""
