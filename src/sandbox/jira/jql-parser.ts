/**
 * A parser for the part of JQL the simulator understands: clauses `field op value`, lists, AND / OR /
 * NOT (and `&&`, `||`, `!`), parentheses, `IS [NOT] EMPTY`, and `ORDER BY f [ASC|DESC], …`.
 * Anything else is a syntax error reported the way Jira words it, so a client that sends JQL the
 * simulator cannot read fails loudly instead of matching nothing.
 * @see https://support.atlassian.com/jira-service-management-cloud/docs/use-advanced-search-with-jira-query-language-jql/
 */

export class JqlError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JqlError'
  }
}

export type Operator = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '!~' | 'in' | 'not in' | 'is' | 'is not'

export interface Operand {
  text: string
  quoted: boolean
}

export interface Clause {
  kind: 'clause'
  field: string
  op: Operator
  /** One operand, a list, or none (with `is EMPTY`). */
  values: Operand[]
  empty: boolean
}

export type JqlNode = Clause | { kind: 'and' | 'or'; nodes: JqlNode[] } | { kind: 'not'; node: JqlNode }

export interface JqlQuery {
  where: JqlNode | null
  orderBy: Array<{ field: string; direction: 'asc' | 'desc' }>
}

interface Token {
  type: 'word' | 'string' | 'op' | '(' | ')' | ','
  text: string
  pos: number
}

const OPERATORS = ['!=', '>=', '<=', '!~', '&&', '||', '=', '>', '<', '~', '!']
const WORD = /[^\s()=,!<>~"'&|]/

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (/\s/.test(c)) {
      i++
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ type: c, text: c, pos: i++ })
    } else if (c === '"' || c === "'") {
      const start = i++
      let value = ''
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < text.length) i++
        value += text[i++]
      }
      if (i >= text.length) throw syntaxError(`The quoted string ${value} has not been completed.`, start)
      i++
      tokens.push({ type: 'string', text: value, pos: start })
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i))
      if (op !== undefined) {
        tokens.push({ type: 'op', text: op, pos: i })
        i += op.length
        continue
      }
      const start = i
      while (i < text.length && WORD.test(text[i] as string)) i++
      if (i === start) throw syntaxError(`The character '${c}' is a reserved JQL character.`, start)
      tokens.push({ type: 'word', text: text.slice(start, i), pos: start })
    }
  }
  return tokens
}

function syntaxError(reason: string, pos: number): JqlError {
  return new JqlError(`Error in the JQL Query: ${reason} (line 1, character ${pos + 1})`)
}

export function parseJql(text: string): JqlQuery {
  const tokens = tokenize(text)
  let index = 0
  const peek = () => tokens[index]
  const isWord = (token: Token | undefined, word: string) =>
    token?.type === 'word' && token.text.toLowerCase() === word
  const expect = (what: string): Token => {
    const token = tokens[index++]
    if (token === undefined)
      throw syntaxError(`Expecting ${what} but reached the end of the query.`, text.length)
    return token
  }

  function parseOr(): JqlNode {
    const nodes = [parseAnd()]
    while (isWord(peek(), 'or') || peek()?.text === '||') {
      index++
      nodes.push(parseAnd())
    }
    return nodes.length === 1 ? (nodes[0] as JqlNode) : { kind: 'or', nodes }
  }

  function parseAnd(): JqlNode {
    const nodes = [parseNot()]
    while (isWord(peek(), 'and') || peek()?.text === '&&') {
      index++
      nodes.push(parseNot())
    }
    return nodes.length === 1 ? (nodes[0] as JqlNode) : { kind: 'and', nodes }
  }

  function parseNot(): JqlNode {
    const token = peek()
    if (isWord(token, 'not') || token?.text === '!') {
      index++
      return { kind: 'not', node: parseNot() }
    }
    if (token?.type === '(') {
      index++
      const node = parseOr()
      const close = expect("')'")
      if (close.type !== ')') throw syntaxError(`Expecting ')' but got '${close.text}'.`, close.pos)
      return node
    }
    return parseClause()
  }

  function parseClause(): Clause {
    const fieldToken = expect('a field name')
    if (fieldToken.type !== 'word' && fieldToken.type !== 'string') {
      throw syntaxError(`Expecting a field name but got '${fieldToken.text}'.`, fieldToken.pos)
    }
    const field = fieldToken.text
    const opToken = expect('an operator')
    let op: Operator
    if (opToken.type === 'op' && !['&&', '||', '!'].includes(opToken.text)) {
      op = opToken.text as Operator
    } else if (isWord(opToken, 'in')) {
      op = 'in'
    } else if (isWord(opToken, 'not') && isWord(peek(), 'in')) {
      index++
      op = 'not in'
    } else if (isWord(opToken, 'is')) {
      op = isWord(peek(), 'not') ? 'is not' : 'is'
      if (op === 'is not') index++
      const value = expect('EMPTY')
      if (!isWord(value, 'empty') && !isWord(value, 'null')) {
        throw syntaxError(`Expecting EMPTY or NULL but got '${value.text}'.`, value.pos)
      }
      return { kind: 'clause', field, op, values: [], empty: true }
    } else {
      throw syntaxError(`Expecting operator but got '${opToken.text}'.`, opToken.pos)
    }
    if (op === 'in' || op === 'not in') {
      const open = expect("'('")
      if (open.type !== '(') throw syntaxError(`Expecting '(' but got '${open.text}'.`, open.pos)
      const values = [operand()]
      for (;;) {
        const next = expect("')'")
        if (next.type === ')') break
        if (next.type !== ',') throw syntaxError(`Expecting ',' or ')' but got '${next.text}'.`, next.pos)
        values.push(operand())
      }
      return { kind: 'clause', field, op, values, empty: false }
    }
    return { kind: 'clause', field, op, values: [operand()], empty: false }
  }

  function operand(): Operand {
    const token = expect('a value')
    if (token.type === 'string') return { text: token.text, quoted: true }
    if (token.type !== 'word') throw syntaxError(`Expecting a value but got '${token.text}'.`, token.pos)
    if (peek()?.type === '(') {
      throw new JqlError(`Jira simulator: the function '${token.text}' is not supported.`)
    }
    return { text: token.text, quoted: false }
  }

  let where: JqlNode | null = null
  if (index < tokens.length && !isWord(peek(), 'order')) where = parseOr()
  const orderBy: JqlQuery['orderBy'] = []
  if (isWord(peek(), 'order')) {
    index++
    const by = expect('BY')
    if (!isWord(by, 'by')) throw syntaxError(`Expecting 'by' but got '${by.text}'.`, by.pos)
    for (;;) {
      const field = expect('a field name')
      let direction: 'asc' | 'desc' = 'asc'
      if (isWord(peek(), 'asc') || isWord(peek(), 'desc'))
        direction = expect('ASC').text.toLowerCase() as 'asc' | 'desc'
      orderBy.push({ field: field.text, direction })
      if (peek()?.type !== ',') break
      index++
    }
  }
  const rest = peek()
  if (rest !== undefined)
    throw syntaxError(`Expecting either 'OR' or 'AND' but got '${rest.text}'.`, rest.pos)
  return { where, orderBy }
}
